"""Clinic settings → Programs: administrators list, add, edit (optimistic locking) and deactivate programs."""

from clients import policies
from clients.programs.forms import ProgramForm
from clients.programs.services import PROGRAMS
from core.clinic_lists.views import ClinicListViews

program_list, program_add, program_edit, program_set_active = ClinicListViews(
    kind=PROGRAMS,
    form_class=ProgramForm,
    allowed=policies.can_manage_programs,
    permission="clients.programs",
    list_url="clients:programs",
    plural="programs",
    list_template="clients/programs.html",
    form_template="clients/program_form.html",
).views()
