"""Who may do what with outcome measures. Scores and answers are clinical: the chart's section and caseload rules
(``clients.policies.sections_for``) decide who sees them; giving a questionnaire, sending a link and answering a
safety flag are clinical work, done by clinical staff who may see the clinical section."""

from accounts.people.models import Membership
from accounts.roles import Role
from clients.policies import CLINICAL, CLINICAL_ROLES


def can_view_measures(actor: Membership | None, sections: frozenset[str]) -> bool:
    return actor is not None and actor.is_active and CLINICAL in sections


def can_administer(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Give a questionnaire in session, hand the tablet over, or send a link; set the client's schedule."""
    return actor is not None and actor.is_active and CLINICAL in sections and actor.has_role(*CLINICAL_ROLES)


def can_respond_to_flag(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Document the response to a critical answer (it clears the chart banner)."""
    return can_administer(actor, sections)


def sees_safety_notices(actor: Membership | None) -> bool:
    """Clinical staff are told on every page about critical answers of the clients they were alerted for."""
    return actor is not None and actor.is_active and actor.has_role(*CLINICAL_ROLES)


def can_set_cutoffs(actor: Membership | None) -> bool:
    """A cut-off is a clinic-wide clinical decision, recorded by an administrator."""
    return actor is not None and actor.is_active and actor.has_role(Role.ADMINISTRATOR)
