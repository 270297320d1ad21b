"""The one shape every list screen's table model shares: a row per item of ``rows``, a column per header."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView


class RowsTableModel(QAbstractTableModel):
    """``rows`` (what each line shows, in order) under ``headers``; a subclass says what a cell shows
    (``data``) and how its rows are filled. Qt asks only for the cells on screen."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None):
        super().__init__(parent)
        self.headers = tuple(headers)
        self.rows: list = []

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


def select_row(view: QAbstractItemView, row: int) -> None:
    """Make ``row`` of a row-selecting table current and selected. Not QTableView.selectRow, which right
    to left (Hebrew) selected nothing: it starts from the column at the viewport's far edge and finds
    none there."""
    view.setCurrentIndex(view.model().index(row, 0))
