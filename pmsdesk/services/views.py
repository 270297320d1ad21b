"""Read models: frozen copies of stored rows, for code that must never hold a database row or session.

Reports and exchange (and any screen that only shows records) read the clinic through these: a view
has the same attribute names as the row it copies (``visit.visit_date``, ``row.trial1_s``), so code
written against the stored rows reads a view unchanged, but a view cannot be changed, saved, lazily
loaded or tied to a session. :class:`VisitView` is the frozen counterpart of
:class:`~pmsdesk.services.clinic.VisitRecord` (``.visit``, ``.assessments[section]``,
``.adverse_events``, ``form_values()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, make_dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import inspect

from pmsdesk.domain.naming import patient_display_name

_VIEW_CLASSES: dict[type, tuple[type, tuple[str, ...]]] = {}

# What a view says of itself beyond its columns, by the table's class name: the patient's display
# name is worked out once here (pmsdesk.domain.naming), never by the screens.
_VIEW_PROPERTIES: dict[str, dict[str, property]] = {
    "Patient": {"display_name": property(lambda self: patient_display_name(self.family_name, self.given_names),
                                         doc='"FAMILY, Given", as every screen and report shows it.')},
}


class RowView:
    """Base of every frozen row copy: ``isinstance(x, RowView)`` tells a view from a stored row.

    ``version`` (where the row has one) is the opaque token a save hands back: the service refuses
    the save when the stored row's version has moved on since the view was read."""


def _view_class(table: type) -> tuple[type, tuple[str, ...]]:
    """One frozen dataclass per table, with a field per mapped column, and the column names."""
    found = _VIEW_CLASSES.get(table)
    if found is None:
        columns = tuple(attr.key for attr in inspect(table).column_attrs)
        view = make_dataclass(f"{table.__name__}Row", [(name, Any) for name in columns], bases=(RowView,),
                              frozen=True, namespace={"__doc__": f"A frozen copy of a stored {table.__tablename__} row.",
                                                      "__module__": __name__,
                                                      **_VIEW_PROPERTIES.get(table.__name__, {})})
        found = _VIEW_CLASSES[table] = (view, columns)
    return found


def row_view(row: Any) -> Any:
    """A frozen copy of ``row``'s column values (None, and a view already, stay as they are)."""
    if row is None or isinstance(row, RowView):
        return row
    view, names = _view_class(type(row))
    loaded = row.__dict__  # rows come loaded (expire_on_commit is off): normally no query is made here
    return view(**{name: loaded[name] if name in loaded else getattr(row, name) for name in names})


def row_views(rows: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(row_view(row) for row in rows)


@dataclass(frozen=True)
class VisitView:
    """A stored visit with its assessments (None where not recorded) and the adverse events reported at it.

    Every reading method of :class:`~pmsdesk.services.clinic.VisitRecord` (``form_values()`` and the
    like, which read only ``.visit``, ``.assessments`` and ``.adverse_events``) works on a view too:
    the view lends it from VisitRecord, so the two cannot drift apart.
    """

    visit: Any
    assessments: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    adverse_events: tuple[Any, ...] = ()
    safety_check: Any = None  # the pre-puncture safety check's row, for a treatment visit that has one
    dose_check: Any = None  # the second-person check of its dose (services.register), when it has one

    def __getattr__(self, name: str) -> Any:
        from pmsdesk.services.clinic import VisitRecord

        method = None if name.startswith("_") else getattr(VisitRecord, name, None)
        if not callable(method):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return method.__get__(self)


def visit_view(record: Any) -> VisitView:
    """The frozen view of a :class:`~pmsdesk.services.clinic.VisitRecord` (a view stays as it is)."""
    if isinstance(record, VisitView):
        return record
    return VisitView(row_view(record.visit),
                     MappingProxyType({section: row_view(row) for section, row in record.assessments.items()}),
                     row_views(record.adverse_events), row_view(getattr(record, "safety_check", None)),
                     dose_check=row_view(getattr(record, "dose_check", None)))
