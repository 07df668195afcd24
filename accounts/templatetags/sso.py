from django import template

from accounts.sso.services import enabled_configuration

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_login_option(context) -> dict | None:
    """What the sign-in page needs for its single sign-on button, or None when the clinic has it switched off."""
    request = context.get("request")
    if request is None or getattr(request, "organization", None) is None:
        return None
    configuration = enabled_configuration()
    if configuration is None:
        return None
    return {"name": configuration.display_name}
