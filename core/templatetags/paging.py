"""``{% pager page %}``: the one pager every paged list shows (see ``core.paging``)."""

from urllib.parse import urlencode

from django import template
from django.core.paginator import Page
from django.template import Context

from core.paging import Window

register = template.Library()


@register.inclusion_tag("_pager.html", takes_context=True)
def pager(context: Context, page: Window | Page, param: str = "page", target: str = "", label: str = "Pages") -> dict:
    """Previous/next links for ``page`` (a ``core.paging.Window`` or a Django ``Page``) that keep the request's
    other non-empty query parameters, so filters stay applied and several lists on one screen page independently.

    With ``target`` (the id of the element holding the list and this pager) the links also fetch the next page
    with htmx and swap just that element; without JavaScript they are ordinary links to the same page."""
    others = [(key, value) for key, value in context["request"].GET.lists() if key != param]
    query = urlencode([(key, item) for key, values in others for item in values if item], doseq=False)
    return {"page": page, "query_string": query, "param": param, "target": target, "label": label}
