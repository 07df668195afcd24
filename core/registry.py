"""Registries through which apps extend each other without a lower app importing a higher one.

Each app registers what it adds to the shared screens from its own ``AppConfig.ready()``, calling its own
policies; the app that shows the screen only iterates the registry:

    from core import registry

    registry.navigation.register(registry.Link("schedule", "Schedule", "scheduling:calendar",
                                               policies.can_view_calendar, order=20))

- ``navigation``: the main menu in the header (rendered by ``accounts.context_processors.navigation``);
- ``setup_lists``: the "Set-up lists" links on the clinic-settings screen (``accounts.clinic.views``);
- ``demo_data``: what ``accounts.demo.load_demo`` (``manage.py load_demo``) creates after each demo clinic's
  staff and locations.

Entries are listed by ``(order, key)``, so the result does not depend on ``INSTALLED_APPS`` order; registering a
key again replaces the entry. The chart tabs (``clients.tabs``) are one more ``Registry``, kept beside the chart.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from tenancy.models import Organization

# Called with the request's ``accounts`` Membership (typed loosely: core sits below accounts).
Predicate = Callable[[Any], bool]


class _Entry(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


E = TypeVar("E", bound=_Entry)


class Registry(Generic[E]):
    """Entries keyed by ``key``; fills up during ``ready()``, then is only read."""

    def __init__(self) -> None:
        self._entries: dict[str, E] = {}

    def register(self, entry: E) -> E:
        self._entries[entry.key] = entry
        return entry

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def get(self, key: str) -> E | None:
        return self._entries.get(key)

    def entries(self) -> list[E]:
        return sorted(self._entries.values(), key=lambda entry: (entry.order, entry.key))


@dataclass(frozen=True)
class Link:
    """A link to another app's page, shown to the members ``allowed`` (the owning app's policy) says yes to."""

    key: str
    label: str
    url_name: str
    allowed: Predicate
    order: int


def every_member(membership: Any) -> bool:
    """For links every signed-in member sees (the page itself still checks its own policy)."""
    return True


def links_for(registry: Registry[Link], membership: Any) -> list[Link]:
    return [link for link in registry.entries() if link.allowed(membership)]


@dataclass(frozen=True)
class DemoData:
    """An app's part of the demo.

    ``load(organization, staff)`` runs for each demo clinic inside its tenant context, once the clinic, its staff
    (``staff`` maps demo usernames to Memberships) and its locations exist. ``load_shared()`` runs once after every
    clinic, for data outside any clinic. ``logins()`` returns lines ``manage.py load_demo`` prints after the
    clinics' logins, for sign-ins the app created. All three must be safe to run again.
    """

    key: str
    order: int
    load: Callable[[Organization, dict[str, Any]], object] | None = None
    load_shared: Callable[[], object] | None = None
    logins: Callable[[], Sequence[str]] | None = None


navigation: Registry[Link] = Registry()
setup_lists: Registry[Link] = Registry()
demo_data: Registry[DemoData] = Registry()
