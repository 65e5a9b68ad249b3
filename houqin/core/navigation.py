"""The navigation registry: each app adds its entries in ``AppConfig.ready``; the shell
shows a person only the entries their permissions allow."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str
    perm: str | None = None
    order: int = 100
    section: str = "main"  # "main" | "manage" | "district"

    def allowed(self, user):
        return self.perm is None or user.has_perm(self.perm)

    @property
    def url(self):
        return reverse(self.url_name)


_items: dict[str, NavItem] = {}


def register(*items: NavItem):
    for item in items:
        _items[item.key] = item


def items_for(user):
    return sorted(
        (item for item in _items.values() if item.allowed(user)),
        key=lambda item: (item.order, item.key),
    )
