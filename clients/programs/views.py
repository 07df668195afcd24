"""Clinic settings → Programs: administrators list, add, edit (optimistic locking) and deactivate programs."""

from clients import policies
from clients.programs.forms import ProgramForm
from clients.programs.services import PROGRAMS
from core.clinic_lists.views import ClinicListViews

program_list, program_add, program_edit, program_set_active = ClinicListViews(
    PROGRAMS, ProgramForm, policies.can_manage_programs, "clients.programs", app="clients"
).views()
