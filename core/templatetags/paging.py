"""``{% pager page %}``: the one pager every paged list shows (see ``core.paging``)."""

from django import template

register = template.Library()


@register.inclusion_tag("_pager.html", takes_context=True)
def pager(context, page, param: str = "page", target: str = "", label: str = "Pages") -> dict:
    """Previous/next links for ``page`` (a ``core.paging.Window`` or a Django ``Page``) that keep the request's
    other query parameters, so several lists on one screen page independently.

    With ``target`` (the id of the element holding the list and this pager) the links also fetch the next page
    with htmx and swap just that element; without JavaScript they are ordinary links to the same page."""
    query = context["request"].GET.copy()
    query.pop(param, None)
    return {"page": page, "query_string": query.urlencode(), "param": param, "target": target, "label": label}
