"""Every model of the clients app, for Django's model registry; code imports them from their feature."""

from clients.alerts.models import ClientAlert
from clients.amendments.models import AmendmentNotification, AmendmentRequest
from clients.care_team.models import CareTeamMember
from clients.consents.models import Authorization, ClientPrivacy, Consent, Disclosure
from clients.contacts.models import ClientContact, ClientLink
from clients.diagnoses.models import Diagnosis
from clients.documents.models import ClientDocument
from clients.insurance.models import InsurancePolicy, Payer
from clients.programs.models import Program
from clients.records.models import Client, ClientNumberSequence, ClientStatusChange, EmergencyAccess

__all__ = [
    "AmendmentNotification",
    "AmendmentRequest",
    "Authorization",
    "CareTeamMember",
    "Client",
    "ClientAlert",
    "ClientContact",
    "ClientDocument",
    "ClientLink",
    "ClientNumberSequence",
    "ClientPrivacy",
    "ClientStatusChange",
    "Consent",
    "Diagnosis",
    "Disclosure",
    "EmergencyAccess",
    "InsurancePolicy",
    "Payer",
    "Program",
]
