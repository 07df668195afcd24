"""The clinic's programs (service lines a client is enrolled in): a clinic list (``core.clinic_lists``) that
administrators keep, audited."""

from clients.programs.models import Program
from core.clinic_lists.services import ClinicList

PROGRAM_FIELDS = ("name", "description")
PROGRAMS = ClinicList(Program, "program", PROGRAM_FIELDS)
