"""Actions other apps add to an appointment's page (the notes app's "Write note"), registered from their
``AppConfig.ready()`` so scheduling never imports them:

    register_action(AppointmentAction("write-note", links=note_links, order=10))

``links(request, appointment, client_links)`` returns ``(label, url)`` pairs for this person and appointment,
deciding with its own app's policy; ``client_links`` are the appointment's ``AppointmentClient`` rows, each with
``visible`` set when the person may see the client's name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class AppointmentAction:
    key: str
    links: Callable[..., list[tuple[str, str]]]
    order: int = 100


_actions: Registry[AppointmentAction] = Registry()


def register_action(action: AppointmentAction) -> AppointmentAction:
    return _actions.register(action)


def action_links(request, appointment, client_links) -> list[tuple[str, str]]:
    return [link for action in _actions.entries() for link in action.links(request, appointment, client_links)]
