"""Need-to-know access to client charts, by role, caseload and emergency access.

Sections: ``demographics`` (name, contact, status, contacts and family, care team), ``insurance``, ``billing``,
``clinical`` (diagnoses, notes, plans, clinical alerts) and ``consents`` (consents, releases of information, the
disclosures log). Every chart view asks here which sections the person may see, and what they may change.
"""

from datetime import datetime, timedelta
from typing import TypeGuard

from accounts.people.models import Membership
from accounts.roles import Role
from clients.records.models import Client

DEMOGRAPHICS, INSURANCE, BILLING, CLINICAL = "demographics", "insurance", "billing", "clinical"
CONSENTS = "consents"
ALL_SECTIONS = frozenset({DEMOGRAPHICS, INSURANCE, BILLING, CLINICAL, CONSENTS})
CLINICAL_ROLES = (Role.CLINICIAN, Role.SUPERVISOR)


def sections_for(actor: Membership | None, *, on_caseload: bool, emergency: bool) -> frozenset[str]:
    """The chart sections ``actor`` may see for one client.

    Administrators see demographics, insurance and billing of every client; clinical sections only when their
    clinic turned on "Administrators may read clinical content" (``Organization.admins_read_clinical``, off by
    default: minimum necessary), or as clinicians with the client on their caseload.
    """
    if actor is None or not actor.is_active:
        return frozenset()
    sections: set[str] = set()
    if actor.has_role(Role.FRONT_DESK):
        sections |= {DEMOGRAPHICS, INSURANCE, CONSENTS}
    if actor.has_role(Role.BILLING):
        sections |= {DEMOGRAPHICS, INSURANCE, BILLING, CONSENTS}
    if actor.has_role(Role.ADMINISTRATOR):
        sections |= {DEMOGRAPHICS, INSURANCE, BILLING, CONSENTS}
        if actor.organization.admins_read_clinical:
            sections.add(CLINICAL)
    if actor.has_role(*CLINICAL_ROLES) and (on_caseload or emergency):
        sections |= ALL_SECTIONS
    return frozenset(sections)


def sees_all_clients(actor: Membership | None) -> bool:
    """Front desk, billing and administrators work across the whole client list; clinicians see their caseload."""
    return actor is not None and actor.has_role(Role.FRONT_DESK, Role.BILLING, Role.ADMINISTRATOR)


def can_register_client(actor: Membership | None) -> bool:
    return actor is not None and actor.has_role(Role.FRONT_DESK, Role.ADMINISTRATOR, *CLINICAL_ROLES)


def can_edit_demographics(actor: Membership | None, sections: frozenset[str]) -> bool:
    return (
        actor is not None
        and DEMOGRAPHICS in sections
        and actor.has_role(Role.FRONT_DESK, Role.ADMINISTRATOR, *CLINICAL_ROLES)
    )


def can_break_glass(actor: Membership | None, *, on_caseload: bool) -> bool:
    """Clinical staff outside the caseload may open a chart in an emergency, giving a reason."""
    return actor is not None and actor.is_active and actor.has_role(*CLINICAL_ROLES) and not on_caseload


def can_manage_payers(actor: Membership | None) -> bool:
    """The clinic-wide payer list is kept by the front desk, billing and administrators."""
    return actor is not None and actor.is_active and actor.has_role(Role.FRONT_DESK, Role.BILLING, Role.ADMINISTRATOR)


def can_edit_insurance(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Adding, correcting and ending a client's policies, and the self-pay flag."""
    return (
        actor is not None
        and INSURANCE in sections
        and actor.has_role(Role.FRONT_DESK, Role.BILLING, Role.ADMINISTRATOR)
    )


def can_edit_diagnoses(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Diagnoses are clinical: only someone who may see the clinical section (caseload or emergency) changes them."""
    return actor is not None and CLINICAL in sections and actor.has_role(*CLINICAL_ROLES)


def can_look_up_codes(actor: Membership | None) -> bool:
    """The ICD-10-CM code set is public reference data; any active staff member may search it."""
    return actor is not None and actor.is_active


# --- Consents, releases of information and disclosures -----------------------------------------------------
# Front desk and administrators take consents and authorisations at the desk; clinicians on the caseload (or with
# emergency access) see and record them too. Billing opens the Consents tab only to learn whether the client has
# authorised release to payers (and whether Part 2 applies): it sees that summary, not recipients or purposes.

CONSENT_ROLES = (Role.FRONT_DESK, Role.ADMINISTRATOR, *CLINICAL_ROLES)


def _consent_staff(actor: Membership | None, sections: frozenset[str]) -> TypeGuard[Membership]:
    if actor is None or not actor.is_active or CONSENTS not in sections:
        return False
    if actor.has_role(Role.FRONT_DESK, Role.ADMINISTRATOR):
        return True
    return actor.has_role(*CLINICAL_ROLES) and CLINICAL in sections  # clinical staff: caseload or emergency only


def can_see_consent_details(actor: Membership | None, sections: frozenset[str]) -> bool:
    """The full Consents tab: consents, every authorisation with its recipient and purpose, the disclosures log."""
    return _consent_staff(actor, sections)


def can_record_consents(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Record and revoke consents and authorisations, and note an authorisation's expiry event."""
    return _consent_staff(actor, sections)


def can_record_disclosures(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Log a release of information that was made."""
    return _consent_staff(actor, sections)


def can_correct_disclosures(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Mark a logged release entered in error: whoever may log releases may correct the log."""
    return can_record_disclosures(actor, sections)


def can_view_accounting(actor: Membership | None, sections: frozenset[str]) -> bool:
    """The accounting of disclosures report (HIPAA 164.528), on screen, printed or as CSV."""
    return _consent_staff(actor, sections)


def can_mark_part2(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Flag the record as holding 42 CFR Part 2 substance use disorder records (adds protection)."""
    return _consent_staff(actor, sections)


def can_clear_part2(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Removing Part 2 protection is a correction only an administrator makes."""
    return _consent_staff(actor, sections) and actor.has_role(Role.ADMINISTRATOR)


# --- Documents and amendments --------------------------------------------------------------------------------

DOCUMENT_ROLES = (Role.FRONT_DESK, Role.BILLING, Role.ADMINISTRATOR, *CLINICAL_ROLES)


def can_upload_document(actor: Membership | None, sections: frozenset[str], section: str) -> bool:
    """File a document into ``section`` of a chart the person may open.

    Normally only into a section they can see; the front desk and administrators may also file incoming paper
    (faxed outside records, say) into the clinical section for the clinicians, without being able to open it.
    """
    if actor is None or not actor.is_active or DEMOGRAPHICS not in sections or not actor.has_role(*DOCUMENT_ROLES):
        return False
    if section in sections:
        return True
    return section == CLINICAL and actor.has_role(Role.FRONT_DESK, Role.ADMINISTRATOR)


def can_open_document(sections: frozenset[str], section: str) -> bool:
    """A document is seen by whoever may see the chart section it was filed in."""
    return section in sections


def can_mark_document_in_error(actor: Membership | None, sections: frozenset[str], section: str) -> bool:
    """Anyone who may open the document and file documents may mark it entered in error (with a reason)."""
    return actor is not None and section in sections and actor.has_role(*DOCUMENT_ROLES)


def can_record_amendment_request(actor: Membership | None, sections: frozenset[str], section: str) -> bool:
    """Write down a client's request to amend a part of the chart the person may see (the clock starts then)."""
    return actor is not None and actor.is_active and section in sections and actor.has_role(*DOCUMENT_ROLES)


def can_decide_amendment(actor: Membership | None, sections: frozenset[str], section: str) -> bool:
    """Accept, deny or extend a request: whoever is responsible for that part of the record.

    Clinical records: clinicians with the client on their caseload (or emergency access). Demographics and
    insurance: front desk and administrators. Billing records: billing coordinators and administrators.
    """
    if actor is None or not actor.is_active or section not in sections:
        return False
    if section == CLINICAL:
        return actor.has_role(*CLINICAL_ROLES)
    if section == BILLING:
        return actor.has_role(Role.BILLING, Role.ADMINISTRATOR)
    return actor.has_role(Role.FRONT_DESK, Role.ADMINISTRATOR)


# --- Record details: programs, status, care team, contacts, alerts ------------------------------------------


def can_manage_programs(actor: Membership | None) -> bool:
    """The clinic's program list is part of its set-up, kept by administrators."""
    return actor is not None and actor.is_active and actor.has_role(Role.ADMINISTRATOR)


def can_change_status(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Admitting, discharging and re-admitting: whoever keeps the record up to date (front desk, administrators,
    and clinical staff who have the client on their caseload)."""
    return can_edit_demographics(actor, sections)


ENTERED_IN_ERROR_WINDOW = timedelta(hours=24)


def can_mark_entered_in_error(actor: Membership | None, client: Client, now: datetime) -> bool:
    """Marking a chart "entered in error" (a duplicate, the wrong person) hides it from lists and search.

    Administrators may always do it. The person who registered the client may do it within 24 hours of
    registering, while the mistake is fresh and before others have relied on the chart; after that it is an
    administrator's call, so a chart in use cannot quietly vanish.
    """
    if actor is None or not actor.is_active:
        return False
    if actor.has_role(Role.ADMINISTRATOR):
        return True
    return (
        client.registered_by_id == actor.pk
        and can_register_client(actor)
        and now - client.created_at <= ENTERED_IN_ERROR_WINDOW
    )


def can_restore_from_error(actor: Membership | None) -> bool:
    """Only administrators bring back a chart marked entered in error."""
    return actor is not None and actor.is_active and actor.has_role(Role.ADMINISTRATOR)


def can_manage_care_team(actor: Membership | None, client: Client, sections: frozenset[str]) -> bool:
    """Who decides who works with a client (and so who may read the chart): administrators and the front desk
    (who assign clinicians at intake), supervisors who can open the chart, and the client's primary clinician
    (who brings in colleagues such as a prescriber)."""
    if actor is None or not actor.is_active or DEMOGRAPHICS not in sections:
        return False
    if actor.has_role(Role.ADMINISTRATOR, Role.FRONT_DESK, Role.SUPERVISOR):
        return True
    return actor.has_role(Role.CLINICIAN) and client.primary_clinician_id == actor.pk


def can_edit_contacts(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Contacts, guardians and family links are part of demographics."""
    return can_edit_demographics(actor, sections)


# Which chart section each alert kind belongs to: risk and medical facts are clinical; what the front desk needs
# to greet and serve the client (an interpreter, a custody order, an administrative note) is demographics.
ALERT_SECTIONS = {
    "allergy": CLINICAL,
    "risk": CLINICAL,
    "medical": CLINICAL,
    "legal": DEMOGRAPHICS,
    "communication": DEMOGRAPHICS,
    "other": DEMOGRAPHICS,
}


def visible_alert_kinds(sections: frozenset[str]) -> list[str]:
    return [kind for kind, section in ALERT_SECTIONS.items() if section in sections]


def can_manage_alert(actor: Membership | None, sections: frozenset[str], kind: str) -> bool:
    """Adding or resolving an alert: demographic kinds by whoever edits demographics; clinical kinds only by
    clinical staff who may see the clinical section (administrators' clinical access is read-only)."""
    section = ALERT_SECTIONS.get(kind)
    if section == DEMOGRAPHICS:
        return can_edit_demographics(actor, sections)
    if section == CLINICAL:
        return actor is not None and CLINICAL in sections and actor.has_role(*CLINICAL_ROLES)
    return False


def alert_kinds_for(actor: Membership | None, sections: frozenset[str]) -> list[str]:
    return [kind for kind in ALERT_SECTIONS if can_manage_alert(actor, sections, kind)]
