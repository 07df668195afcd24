import json

import pytest
from django.core.exceptions import ValidationError

from notes.note_templates import services
from notes.note_templates.models import NoteTemplate
from notes.note_templates.schema import SchemaError, check_answers, validate_schema
from notes.note_templates.shipped import SHIPPED
from tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def test_every_shipped_template_is_valid():
    for spec in SHIPPED.values():
        validate_schema(spec["schema"])


def test_the_diagnostic_assessment_screens_for_suicide_and_homicide_risk():
    fields = {f["key"] for s in SHIPPED["diagnostic"]["schema"]["sections"] for f in s["fields"]}
    assert {"suicidal_ideation", "homicidal_ideation", "risk_level", "appearance", "diagnosis"} <= fields


def test_a_broken_schema_lists_every_problem():
    schema = {
        "sections": [
            {
                "heading": "",
                "fields": [
                    {"key": "Bad Key", "label": "", "type": "colour"},
                    {"key": "mood", "label": "Mood", "type": "scale", "min": 5, "max": 1},
                ],
            }
        ]
    }
    with pytest.raises(SchemaError) as caught:
        validate_schema(schema)
    problems = " ".join(caught.value.problems)
    assert "give it a heading" in problems
    assert "short lower-case name" in problems
    assert "type must be one of" in problems
    assert "min below max" in problems


def test_answers_of_the_wrong_type_get_a_message_per_field():
    schema = SHIPPED["dap"]["schema"]
    checked = check_answers(schema, {"data": "ok", "distress": "eleven"})
    assert checked.errors == {"distress": "Distress today (client's rating): enter a whole number from 0 to 10."}
    assert "Your clinical impression and progress toward goals" in checked.missing
    choice = check_answers(SHIPPED["soap"]["schema"], {"affect": "Purple"})
    assert choice.errors["affect"] == "Affect: choose one of the listed options."


def test_rich_text_is_sanitised():
    schema = {"sections": [{"heading": "H", "fields": [{"key": "body", "label": "Body", "type": "rich_text"}]}]}
    checked = check_answers(
        schema, {"body": '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:x">l</a></p>'}
    )
    assert checked.answers["body"] == "<p>Hi l</p>"


def test_installing_the_shipped_templates_twice_adds_nothing(org):
    with tenant_context(org):
        services.install_shipped()
        services.install_shipped()
        assert NoteTemplate.objects.count() == len(SHIPPED)


def test_editing_a_template_adds_a_version_and_old_notes_keep_theirs(org, admin, clinician, chart, make_note):
    note = make_note(clinician, chart)
    with tenant_context(org):
        template = NoteTemplate.objects.get(shipped_key="dap")
        schema = template.versions.get(number=1).schema
        schema["sections"][0]["fields"][0]["label"] = "What happened"
        services.save_template(
            template,
            actor=admin,
            expected_version=template.version,
            name=template.name,
            description="",
            note_types=["progress"],
            is_active=True,
            schema=schema,
        )
        template.refresh_from_db()
        assert template.current_number == 2
        note.refresh_from_db()
        assert note.template_version.number == 1
        assert note.template_version.schema["sections"][0]["fields"][0]["label"] == "Session content and observations"


def test_an_administrator_copies_and_edits_a_template_in_the_ui(org, admin, templates, clinic_client):
    browser = clinic_client(org, admin)
    source = templates["soap"]
    response = browser.post(f"/notes/settings/templates/{source.pk}/copy/", {"name": "Our SOAP"})
    assert response.status_code == 302
    with tenant_context(org):
        copy = NoteTemplate.objects.get(name="Our SOAP")
    page = browser.get(f"/notes/settings/templates/{copy.pk}/")
    assert page.status_code == 200
    bad = browser.post(
        f"/notes/settings/templates/{copy.pk}/",
        {
            "name": "Our SOAP",
            "note_types": ["progress"],
            "is_active": "on",
            "schema": "{not json",
            "version": copy.version,
        },
    )
    assert "This is not valid JSON" in bad.content.decode()
    schema = json.dumps({"sections": [{"heading": "Only", "fields": [{"key": "x", "label": "X", "type": "text"}]}]})
    ok = browser.post(
        f"/notes/settings/templates/{copy.pk}/",
        {
            "name": "Our SOAP",
            "note_types": ["progress"],
            "is_active": "on",
            "schema": schema,
            "version": copy.version,
        },
    )
    assert ok.status_code == 302
    with tenant_context(org):
        assert copy.versions.count() == 2


def test_a_clinician_may_not_edit_templates(org, clinician, templates, clinic_client):
    response = clinic_client(org, clinician).get("/notes/settings/templates/")
    assert response.status_code == 403


def test_template_types_must_be_known(org, admin, templates):
    with tenant_context(org), pytest.raises(ValidationError):
        t = templates["dap"]
        services.save_template(
            t,
            actor=admin,
            expected_version=t.version,
            name=t.name,
            description="",
            note_types=["poetry"],
            is_active=True,
            schema=SHIPPED["dap"]["schema"],
        )
