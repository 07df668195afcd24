from django.contrib.auth.backends import BaseBackend

from accounts.people.models import User
from accounts.staff.selectors import active_member_by_identifier


class ClinicMembershipBackend(BaseBackend):
    """Sign in with a username or email that belongs to the clinic of the request's host.

    Unknown users, deactivated staff and people of other clinics are indistinguishable from a wrong password,
    and cost the same password-hashing time.
    """

    def authenticate(self, request, username: str | None = None, password: str | None = None, **kwargs):
        organization = getattr(request, "organization", None)
        if organization is None or not username or password is None:
            return None
        membership = active_member_by_identifier(username)
        if membership is None:
            User().set_password(password)  # same hashing cost as a real check
            return None
        user = membership.user
        return user if user.check_password(password) else None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()
