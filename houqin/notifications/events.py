"""What houqin tells people about. Each app registers its events in ``AppConfig.ready``;
a person's preferences (inbox, e-mail) are kept per event, and a school's group robots
subscribe to events.

    register_event("approvals.pending", _("待我审批"), channels=("inbox", "email"))
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    code: str
    label: str
    # Channels a person gets unless they change their preferences ("inbox", "email").
    channels: tuple[str, ...] = ("inbox",)
    # Whether a person may turn the inbox off for it (urgent events stay on).
    optional: bool = True


_events: dict[str, Event] = {}


def register_event(code, label, channels=("inbox",), optional=True):
    _events[code] = Event(code, label, tuple(channels), optional)
    return _events[code]


def get_event(code):
    return _events.get(code) or Event(code, code)


def all_events():
    return sorted(_events.values(), key=lambda event: event.code)
