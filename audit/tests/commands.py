"""Running audit_verify from tests: its report, or the report of its failure."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out, stderr=out)
    return out.getvalue()


def verify_fails(*args: str, match: str = "tampering detected") -> str:
    err = StringIO()
    with pytest.raises(CommandError, match=match):
        call_command("audit_verify", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()
