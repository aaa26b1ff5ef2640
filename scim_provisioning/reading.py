"""How reads load users: model instances, or rows of just the values the representation uses.

Instantiating a link and a host user per row, and converting every column
of both (passwords, login dates) that nobody reads, is most of what a page
of users costs. An adapter that names where each attribute is stored
(``BaseUserAdapter.get_read_fields``) lets lists, lookups and GETs select
exactly those values, in one query, and build ``UserAttributes`` from them:
``RowReader``. Other adapters keep ``read()`` on instances: ``InstanceReader``.

Writes always use instances, which the adapter changes and saves. Both
reads must agree value for value, since an ETag read by a GET is checked
against one computed by a write (``tests/test_reading.py`` pins it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import FilteredRelation, QuerySet

from .attributes import UserAttributes

if TYPE_CHECKING:
    from .adapters import BaseUserAdapter

#: What the representation reads from a link (``serializers.user_representation``).
LINK_FIELDS = ("id", "user_name", "external_id", "email_primary", "created_at", "updated_at")
#: Prefix of the annotations holding the adapter's values, clear of any model field.
_ALIAS_PREFIX = "scim_read_"


class StoredLink(Protocol):
    """A ``ProvisionedUser``, or a row with the same values (``LINK_FIELDS``)."""

    id: Any
    user_name: str
    external_id: str
    email_primary: bool | None
    created_at: Any
    updated_at: Any


class InstanceReader:
    """Reads through ``adapter.read()`` on the host user of each link."""

    def __init__(self, adapter: BaseUserAdapter) -> None:
        self.adapter = adapter

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return self.adapter.optimize_queryset(queryset)

    def read(self, links: Iterable[Any]) -> list[tuple[StoredLink, UserAttributes]]:
        return [(link, self.adapter.read(link.user)) for link in links]


class RowReader:
    """Reads the adapter's ``get_read_fields()`` as columns of one ``values_list`` query.

    ORM paths are selected as they are (a path named twice, once); other
    expressions become annotations. A ``FilteredRelation`` is joined under its
    name, for the paths that go through it, and is no value itself.
    """

    def __init__(self, adapter: BaseUserAdapter, read_fields: Mapping[str, Any]) -> None:
        self.adapter = adapter
        #: Name given by the adapter -> the column of the row holding its value.
        self.columns: dict[str, str] = {}
        self.relations = {name: source for name, source in read_fields.items() if isinstance(source, FilteredRelation)}
        self.annotations: dict[str, Any] = {}
        for name, source in read_fields.items():
            if isinstance(source, str):
                self.columns[name] = source
            elif name not in self.relations:
                self.columns[name] = _ALIAS_PREFIX + name
                self.annotations[_ALIAS_PREFIX + name] = source
        self.selected = list(dict.fromkeys(self.columns.values()))

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.relations or self.annotations:
            queryset = queryset.annotate(**self.relations, **self.annotations)
        rows: QuerySet[Any] = queryset.values_list(*LINK_FIELDS, *self.selected, named=True)
        return rows

    def read(self, rows: Iterable[Any]) -> list[tuple[StoredLink, UserAttributes]]:
        columns, from_values = self.columns.items(), self.adapter.attributes_from_values
        return [(row, from_values({name: getattr(row, column) for name, column in columns})) for row in rows]


def get_reader(adapter: BaseUserAdapter) -> InstanceReader | RowReader:
    """The reader for ``adapter``: rows when it names its read fields, else instances."""
    read_fields = adapter.get_read_fields()
    return RowReader(adapter, read_fields) if read_fields else InstanceReader(adapter)
