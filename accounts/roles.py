from django.db import models


class Role(models.TextChoices):
    """Roles combine: a person may hold several in one clinic, and different ones in another."""

    ADMINISTRATOR = "administrator", "Administrator"
    CLINICIAN = "clinician", "Clinician"
    SUPERVISOR = "supervisor", "Supervisor"
    FRONT_DESK = "front_desk", "Front desk"
    BILLING = "billing", "Billing coordinator"
    SUPPORT_CHAMPION = "support_champion", "Support champion"


ROLE_DESCRIPTIONS = {
    Role.ADMINISTRATOR: "Manages staff, roles and clinic settings; reads the audit log.",
    Role.CLINICIAN: "Sees clients on their caseload and writes their notes and plans.",
    Role.SUPERVISOR: "Reviews and co-signs supervisees' clinical work.",
    Role.FRONT_DESK: "Runs the schedule, registers clients and their insurance.",
    Role.BILLING: "Works charges, claims, payments and statements.",
    Role.SUPPORT_CHAMPION: "May send support tickets on to the vendor.",
}
