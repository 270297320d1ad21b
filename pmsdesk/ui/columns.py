"""Table columns that share their view's width, so a table never scrolls sideways (a cut Status or
Outcome column at 1366x768 was out of sight). Each column is as wide as its texts while there is
room; beyond that the free-text columns named by the caller give up width, the widest first, down to
a floor, their texts elided with the whole text on hover; a heading cut so is whole on hover too."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QTableView,
    QToolTip,
)

FLOOR_CHARACTERS = 8  # a shrunk column still shows this many average characters


class WholeTextOnHover(QStyledItemDelegate):
    """A cell without a tooltip of its own shows its whole text on hover when the cell elides it."""

    def helpEvent(self, event, view, option, index) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.ToolTip and index.data(Qt.ItemDataRole.ToolTipRole) in (None, ""):
            text = str(index.data() or "")
            self.initStyleOption(option, index)
            if text and option.fontMetrics.horizontalAdvance(text) > view.visualRect(index).width() - 8:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


def share_widths(wanted: Sequence[int], elastic: Sequence[int], room: int, floor: int) -> list[int]:
    """Column widths summing to at most ``room`` where possible: the ``elastic`` columns are capped at
    one common width (the widest give up width first), never below ``floor`` (or their own need); the
    space left over goes to the last elastic column."""
    widths = list(wanted)
    rigid = sum(w for c, w in enumerate(widths) if c not in elastic)
    share = room - rigid  # what the elastic columns may take together
    needs = sorted(widths[c] for c in elastic)
    cap, left = None, share
    for count, need in zip(range(len(needs), 0, -1), needs):
        if need * count > left:
            cap = max(left // count, floor)
            break
        left -= need
    for c in elastic:
        if cap is not None and widths[c] > cap:
            widths[c] = max(cap, min(widths[c], floor))
    spare = room - sum(widths)
    if spare > 0 and elastic:
        widths[elastic[-1]] += spare
    return widths


class _Fitter(QObject):
    def __init__(self, view: QTableView, elastic: Sequence[int]):
        super().__init__(view)
        self.view, self.elastic = view, tuple(elastic)
        self.timer = QTimer(self, singleShot=True, interval=0)  # one fit after a burst of changes
        self.timer.timeout.connect(self.fit)
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged,
                       model.layoutChanged, model.headerDataChanged):
            signal.connect(self.timer.start)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        view, header = self.view, self.view.horizontalHeader()
        columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not columns:
            return
        wanted = [max(view.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in columns]
        elastic = [i for i, c in enumerate(columns) if c in self.elastic]
        floor = view.fontMetrics().averageCharWidth() * FLOOR_CHARACTERS
        model = view.model()
        for column, width, need in zip(columns, share_widths(wanted, elastic, view.viewport().width(), floor),
                                       wanted):
            header.resizeSection(column, width)
            text = model.headerData(column, Qt.Orientation.Horizontal)
            if width < need and not model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole):
                model.setHeaderData(column, Qt.Orientation.Horizontal, text, Qt.ItemDataRole.ToolTipRole)
        if view.wordWrap():
            view.resizeRowsToContents()


def fit_columns(view: QTableView, elastic: Sequence[int]) -> None:
    """Keep ``view``'s columns within its width from now on (see the module's note); ``elastic`` are
    the columns of free text that may be elided. Call once, after the view has its model."""
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)  # a cut heading ends in "…", whole on hover
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if type(view.itemDelegate()) is QStyledItemDelegate:  # a view's own delegate is kept
        view.setItemDelegate(WholeTextOnHover(view))
    _Fitter(view, elastic).fit()
