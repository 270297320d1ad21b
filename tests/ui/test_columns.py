"""Table columns share their view's width (pmsdesk.ui.columns): no sideways scrolling, the free-text
columns elided with the whole text on hover, a cut heading whole on hover."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
)

from pmsdesk.ui.columns import fit_columns, share_widths

LONG = "Post-lumbar-puncture headache, recovered with sequelae after a blood patch"


def test_the_widest_elastic_columns_give_up_width_first_down_to_a_floor():
    assert share_widths([50, 300, 40, 120], [1, 3], 500, 60) == [50, 290, 40, 120]  # the widest gives up width
    assert share_widths([50, 300, 40, 120], [1, 3], 250, 60) == [50, 80, 40, 80]
    assert share_widths([50, 300, 40, 120], [1, 3], 100, 60) == [50, 60, 40, 60]  # the floor: it scrolls
    assert share_widths([50, 100, 40, 20], [1, 3], 400, 60) == [50, 100, 40, 210]  # room to spare: the last


def test_a_narrow_table_fits_its_width_and_shows_cut_texts_whole_on_hover(qtbot):
    table = QTableWidget(3, 4)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["Onset", "Adverse event with a long heading", "Grade", "Outcome"])
    table.setWordWrap(False)
    for row in range(3):
        for column, text in enumerate(("2026-11-20", LONG, "2", "Recovered with sequelae")):
            table.setItem(row, column, QTableWidgetItem(text))
    fit_columns(table, [1, 3])
    table.resize(420, 200)
    table.show()
    qtbot.waitExposed(table)
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    assert header.sectionSize(0) >= table.fontMetrics().horizontalAdvance("2026-11-20")  # a date stays whole
    assert table.model().headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == \
        "Adverse event with a long heading"
    cell = table.visualRect(table.model().index(0, 1)).center()
    hover = QHelpEvent(QEvent.Type.ToolTip, cell, table.viewport().mapToGlobal(cell))
    QToolTip.hideText()
    option = QStyleOptionViewItem()
    option.initFrom(table)
    assert table.itemDelegate().helpEvent(hover, table, option, table.model().index(0, 1))
    assert QToolTip.text() == LONG

    table.resize(1400, 200)  # room enough again: every text whole
    qtbot.wait(10)
    assert header.sectionSize(1) >= table.fontMetrics().horizontalAdvance(LONG)
    assert header.length() <= table.viewport().width()
