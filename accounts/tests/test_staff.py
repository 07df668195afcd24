import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from accounts.signin.signals import SESSION_ORGANIZATION_KEY
from audit.models import AuditEvent
from conftest import PASSWORD, rls_queries
from tenancy.context import tenant_context


def _edit_payload(member: Membership, **changes) -> dict:
    data = {
        "full_name": member.user.full_name,
        "username": member.username,
        "title": member.title,
        "roles": sorted(member.roles),
        "version": member.version,
    }
    data.update(changes)
    return data


def _member(org, pk) -> Membership:
    with tenant_context(org):
        return Membership.objects.select_related("user").prefetch_related("role_assignments").get(pk=pk)


# --- The list -----------------------------------------------------------------------------------------------


def test_administrator_sees_the_staff_list(org, admin, clinician, outsider, clinic_client):
    body = clinic_client(org, admin).get("/staff/").content.decode()
    assert "Carol Clinician" in body
    assert "Alice Admin" in body
    assert "Oscar Outsider" not in body


@pytest.mark.parametrize("role_fixture", ["clinician", "front_desk", "billing", "supervisor", "champion"])
def test_other_roles_are_refused_and_audited(role_fixture, request, org, clinic_client):
    member = request.getfixturevalue(role_fixture)
    response = clinic_client(org, member).get("/staff/")
    assert response.status_code == 403
    assert "don't have access" in response.content.decode()
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor == member.user
    assert event.detail["permission"] == "accounts.view_staff"


def test_staff_list_query_count_does_not_grow_with_staff(org, admin, make_member, clinic_client):
    client = clinic_client(org, admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/staff/").status_code == 200
        return len(ctx.captured_queries)

    client.get("/")  # the first request of a session also records its last-seen time
    for i in range(3):
        make_member(org, f"few{i}", Role.CLINICIAN)
    few = count()
    for i in range(20):
        make_member(org, f"many{i}", Role.CLINICIAN, Role.SUPERVISOR)
    assert count() == few
    assert few <= 9 + rls_queries()


def test_staff_list_searches_and_filters(org, admin, clinician, front_desk, make_member, clinic_client):
    make_member(org, "retired", Role.CLINICIAN, active=False, name="Rita Retired")
    client = clinic_client(org, admin)
    body = client.get("/staff/", {"q": "carol"}).content.decode()
    assert "Carol Clinician" in body and "Frank Frontdesk" not in body
    body = client.get("/staff/", {"role": "front_desk"}).content.decode()
    assert "Frank Frontdesk" in body and "Carol Clinician" not in body
    body = client.get("/staff/", {"status": "inactive"}).content.decode()
    assert "Rita Retired" in body and "Carol Clinician" not in body
    body = client.get("/staff/", {"status": "all"}).content.decode()
    assert "Rita Retired" in body and "Carol Clinician" in body


def test_htmx_search_returns_only_the_table(org, admin, clinician, clinic_client):
    response = clinic_client(org, admin).get("/staff/", {"q": "carol"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Carol Clinician" in body
    assert "<html" not in body


def test_staff_list_paginates(org, admin, make_member, clinic_client):
    for i in range(30):
        make_member(org, f"user{i:02d}", Role.CLINICIAN, name=f"Person {i:02d}")
    client = clinic_client(org, admin)
    first = client.get("/staff/").content.decode()
    assert "Page 1 of 2" in first
    second = client.get("/staff/", {"page": 2}).content.decode()
    assert "Person 29" in second and "Person 00" not in second


# --- Inviting -----------------------------------------------------------------------------------------------


def test_administrator_invites_staff_who_then_set_a_password(
    org, admin, clinic_client, django_capture_on_commit_callbacks
):
    client = clinic_client(org, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/invite/",
            {
                "full_name": "Nina New",
                "email": "Nina@Example.org",
                "username": "nina",
                "title": "Therapist",
                "roles": [Role.CLINICIAN, Role.SUPERVISOR],
            },
        )
    assert response.status_code == 302
    nina = _member(org, Membership.all_tenants.get(username="nina").pk)
    assert nina.user.email == "nina@example.org"
    assert nina.roles == {Role.CLINICIAN, Role.SUPERVISOR}
    assert not nina.user.has_usable_password()
    event = AuditEvent.objects.get(action="staff.invited")
    assert event.object_id == str(nina.pk) and event.actor == admin.user

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.org"]
    assert message.subject == "You have been added to Riverside Counseling on Hearth"
    link = re.search(r"http://riverside\.localhost(?::\d+)?(/invitation/\S+)", message.body).group(1)

    invitee = clinic_client(org)
    landing = invitee.get(link)
    assert landing.status_code == 302  # token moved out of the URL into the session
    form_url = landing["Location"]
    weak = invitee.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert "Use at least 12 characters." in weak.content.decode()
    done = invitee.post(form_url, {"new_password1": "Brand-New-Pass-77", "new_password2": "Brand-New-Pass-77"})
    assert done.status_code == 302
    assert invitee.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.invitation_accepted", actor=nina.user).exists()
    reused = clinic_client(org).get(link, follow=True)
    assert "can't be used" in reused.content.decode()


def test_inviting_someone_from_another_clinic_keeps_their_password(
    org, admin, outsider, clinic_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clinic_client(org, admin).post(
            "/staff/invite/",
            {"full_name": "Oscar O", "email": outsider.user.email, "username": "oscar2", "roles": [Role.CLINICIAN]},
        )
    user = User.objects.get(email=outsider.user.email)
    assert user.check_password(PASSWORD)
    assert Membership.all_tenants.filter(user=user).count() == 2
    assert "Sign in with your existing Hearth password" in mail.outbox[0].body
    assert clinic_client(org).post("/login/", {"username": "oscar2", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"username": "alice"}, "Another staff member already uses this username."),
        ({"username": "ALICE"}, "Another staff member already uses this username."),
        ({"email": "alice@riverside.test"}, "already on the clinic&#x27;s staff list"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"roles": []}, "Choose at least one role."),
        ({"username": "has space"}, "Use 2–40 letters"),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_invite_rejects_bad_input_with_a_clear_message(payload, message, org, admin, clinic_client):
    data = {"full_name": "Nina", "email": "nina@example.org", "username": "nina", "roles": [Role.CLINICIAN]}
    data.update(payload)
    response = clinic_client(org, admin).post("/staff/invite/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Membership.all_tenants.filter(username="nina").exists()
    assert mail.outbox == []


def test_usernames_may_repeat_across_clinics(org, other_org, admin, outsider, clinic_client):
    response = clinic_client(org, admin).post(
        "/staff/invite/", {"full_name": "Other Oscar", "email": "o2@x.org", "username": "oscar", "roles": ["clinician"]}
    )
    assert response.status_code == 302


def test_clinician_cannot_invite(org, clinician, clinic_client):
    response = clinic_client(org, clinician).post(
        "/staff/invite/", {"full_name": "X", "email": "x@x.org", "username": "xx", "roles": ["administrator"]}
    )
    assert response.status_code == 403
    assert not Membership.all_tenants.filter(username="xx").exists()


# --- Editing and roles -------------------------------------------------------------------------------------


def test_administrator_edits_details_and_roles(org, admin, clinician, clinic_client):
    client = clinic_client(org, admin)
    assert "Carol Clinician" in client.get(f"/staff/{clinician.pk}/").content.decode()
    response = client.post(
        f"/staff/{clinician.pk}/",
        _edit_payload(clinician, full_name="Carol C. Clinician", title="LCSW", roles=["clinician", "supervisor"]),
    )
    assert response.status_code == 302
    carol = _member(org, clinician.pk)
    assert carol.user.full_name == "Carol C. Clinician"
    assert carol.title == "LCSW"
    assert carol.roles == {"clinician", "supervisor"}
    assert carol.version == clinician.version + 1
    event = AuditEvent.objects.get(action="staff.updated")
    assert event.detail == {"fields": ["title", "full_name"], "roles_added": ["supervisor"], "roles_removed": []}


def test_a_stale_edit_is_refused_not_silently_applied(org, admin, make_member, clinician, clinic_client):
    second_admin = make_member(org, "ann", Role.ADMINISTRATOR)
    stale = _edit_payload(clinician)
    first = clinic_client(org, admin).post(f"/staff/{clinician.pk}/", {**stale, "title": "First"})
    assert first.status_code == 302
    second = clinic_client(org, second_admin).post(f"/staff/{clinician.pk}/", {**stale, "title": "Second"})
    assert second.status_code == 200
    assert "Someone else changed this record" in second.content.decode()
    assert _member(org, clinician.pk).title == "First"
    assert AuditEvent.objects.filter(action="staff.updated").count() == 1


def test_the_last_administrator_cannot_lose_the_role(org, admin, clinic_client):
    response = clinic_client(org, admin).post(f"/staff/{admin.pk}/", _edit_payload(admin, roles=["clinician"]))
    assert response.status_code == 200
    assert "only active administrator" in response.content.decode()
    member = _member(org, admin.pk)
    assert member.roles == {"administrator"}
    assert member.version == admin.version
    with tenant_context(org):
        assert RoleAssignment.objects.filter(membership=admin).count() == 1


def test_another_clinics_staff_member_is_a_404_and_audited(org, admin, outsider, clinic_client):
    client = clinic_client(org, admin)
    assert client.get(f"/staff/{outsider.pk}/").status_code == 404
    response = client.post(f"/staff/{outsider.pk}/", _edit_payload(outsider, title="hijacked"))
    assert response.status_code == 404
    assert client.post(f"/staff/{outsider.pk}/deactivate/", {"version": 1}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.title == "" and outsider.is_active
    events = AuditEvent.objects.filter(action="access.not_found", organization=org)
    assert events.count() == 3
    assert {e.object_id for e in events} == {str(outsider.pk)}


def test_outsider_from_another_clinic_cannot_use_their_session_here(org, admin, outsider, clinic_client):
    client = clinic_client(org, outsider)
    session = client.session  # forge a session that claims this clinic for a person who isn't staff here
    session[SESSION_ORGANIZATION_KEY] = org.pk
    session.save()
    response = client.get("/staff/")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.session_rejected")
    assert event.detail == {"reason": "no active membership in this clinic"}
    assert event.actor == outsider.user


# --- Deactivation ------------------------------------------------------------------------------------------


def test_administrator_deactivates_and_reactivates_staff(org, admin, clinician, clinic_client):
    client = clinic_client(org, admin)
    carol_client = clinic_client(org, clinician)
    response = client.post(f"/staff/{clinician.pk}/deactivate/", {"version": clinician.version}, follow=True)
    assert "can no longer sign in" in response.content.decode()
    assert not _member(org, clinician.pk).is_active
    assert carol_client.get("/").status_code == 302
    assert clinic_client(org).post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 200

    carol = _member(org, clinician.pk)
    client.post(f"/staff/{clinician.pk}/reactivate/", {"version": carol.version})
    assert _member(org, clinician.pk).is_active
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="staff.").order_by("pk")] == [
        "staff.deactivated",
        "staff.reactivated",
    ]


def test_administrator_cannot_deactivate_themselves(org, admin, clinic_client):
    response = clinic_client(org, admin).post(f"/staff/{admin.pk}/deactivate/", {"version": admin.version})
    assert response.status_code == 403
    assert _member(org, admin.pk).is_active


def test_deactivation_requires_post_and_a_version(org, admin, clinician, clinic_client):
    client = clinic_client(org, admin)
    assert client.get(f"/staff/{clinician.pk}/deactivate/").status_code == 405
    response = client.post(f"/staff/{clinician.pk}/deactivate/", {}, follow=True)
    assert "form was incomplete" in response.content.decode()
    assert _member(org, clinician.pk).is_active


def test_deactivating_with_a_stale_version_is_refused(org, admin, clinician, clinic_client):
    client = clinic_client(org, admin)
    client.post(f"/staff/{clinician.pk}/", _edit_payload(clinician, title="changed"))
    response = client.post(f"/staff/{clinician.pk}/deactivate/", {"version": clinician.version}, follow=True)
    assert "Someone else changed this record" in response.content.decode()
    assert _member(org, clinician.pk).is_active


def test_a_username_taken_in_a_race_is_a_message_not_a_500(org, admin, clinician):
    from django.core.exceptions import ValidationError

    from accounts.staff import services

    with tenant_context(org):
        with pytest.raises(ValidationError, match="already uses this username"):
            services.invite_staff(
                actor=admin, email="late@x.org", full_name="Late", username="CAROL", roles=[Role.CLINICIAN]
            )
        assert not User.objects.filter(email="late@x.org").exists()  # the whole invitation rolled back
        with pytest.raises(ValidationError, match="already uses this username"):
            services.update_staff(
                admin,
                actor=admin,
                expected_version=admin.version,
                full_name="Alice Admin",
                username="carol",
                title="",
                roles=[Role.ADMINISTRATOR],
            )
