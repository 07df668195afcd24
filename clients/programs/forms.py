from clients.programs.models import Program
from clients.programs.services import PROGRAM_FIELDS
from core.forms import VersionedForm


class ProgramForm(VersionedForm):
    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
