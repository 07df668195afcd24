"""A note's template version and answers, laid out for the form and the read-only page (and the PDF)."""

from notes.drafts.forms import ANSWER_PREFIX


def sections(schema: dict | None, answers: dict, errors: dict | None = None) -> list[dict]:
    """Each section with its fields, each field with its input name, stored answer and error."""
    if not schema:
        return []
    errors = errors or {}
    laid_out = []
    for section in schema["sections"]:
        fields = []
        for field in section["fields"]:
            value = answers.get(field["key"], [] if field["type"] == "multiple" else "")
            fields.append(
                {
                    **field,
                    "name": ANSWER_PREFIX + field["key"],
                    "value": value,
                    "error": errors.get(field["key"], ""),
                    "range": range(field["min"], field["max"] + 1) if field["type"] == "scale" else None,
                }
            )
        laid_out.append({**section, "fields": fields})
    return laid_out
