"""Today's list, the start screen: who is due for treatment and which visits are under way.

Each visit under way shows where it stands (unsaved, saved with changes not saved, awaiting
signature, signed); a patient with a visit under way is not listed again as due for that course.
Enter or a double-click on a row opens the visit already started, or starts the treatment visit
of the course that is due. Section headings cannot be selected: the arrow keys pass over them.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from pmsdesk.domain.moments import local_time
from pmsdesk.domain.naming import agent_label
from pmsdesk.domain.schedule import DueStatus
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.services.clinic import Clinic, DayState, DueTreatment, StartedVisit
from pmsdesk.ui.languages import isolated
from pmsdesk.ui.table_models import RowsTableModel, select_row

STATUS_COLOURS = {DueStatus.OVERDUE: "#b00020", DueStatus.DUE: "#1b5e20", DueStatus.DUE_SOON: "#555555"}
STATE_COLOURS = {DayState.UNSAVED: "#8a5a00", DayState.CHANGES_NOT_SAVED: "#8a5a00",
                 DayState.AWAITING_SIGNATURE: "#0d47a1", DayState.SIGNED: "#1b5e20"}


def course_name(course) -> str:
    return agent_label(course.agent, course.agent_name)


class TodayModel(RowsTableModel):
    """Today's rows (``rows``: what each is, None for a section heading) beside their texts (``cells``).
    A model, not a cell widget per value: Qt asks only for the rows on screen."""

    def __init__(self, headers: tuple[str, ...], parent=None):
        super().__init__(headers, parent)
        self.cells: list[tuple[str, ...]] = []

    def show(self, cells: list[tuple[str, ...]], rows: list) -> None:
        self.beginResetModel()
        self.cells, self.rows = cells, rows
        self.endResetModel()

    def flags(self, index):
        if self.rows[index.row()] is None:  # a section heading: not selectable, skipped by the arrow keys
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row, column = index.row(), index.column()
        text = self.cells[row][column]
        entry = self.rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return isolated(text)  # dates, intervals and English names read in their own direction
        if entry is None:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor("#000000"))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor("#e8e8e8"))
            return None
        if role != Qt.ItemDataRole.ForegroundRole:
            return None
        if column == 0:
            return QBrush(QColor(STATUS_COLOURS[entry.status] if isinstance(entry, DueTreatment)
                                 else STATE_COLOURS[entry.state]))
        if column == len(self.headers) - 1 and text:  # labs missing or out of date: the check will ask
            return QBrush(QColor("#b00020"))
        return None


class TodayList(QWidget):
    """Emits ``open_visit(visit_id)``, ``continue_new_visit(patient_id)`` and
    ``start_treatment(patient_id, course_id)``."""

    open_visit = Signal(int)
    continue_new_visit = Signal(int)
    start_treatment = Signal(int, int)

    # Marked for translation here, translated when the page is made (the language is chosen by then).
    HEADERS = ("", QT_TRANSLATE_NOOP("TodayList", "Patient"), QT_TRANSLATE_NOOP("TodayList", "Identifier"),
               QT_TRANSLATE_NOOP("TodayList", "Treatment"), QT_TRANSLATE_NOOP("TodayList", "Window"),
               QT_TRANSLATE_NOOP("TodayList", "Last treatment"), QT_TRANSLATE_NOOP("TodayList", "Next #"),
               QT_TRANSLATE_NOOP("TodayList", "Labs"))
    HINT = QT_TRANSLATE_NOOP("TodayList", "Arrow to a patient and press Enter (or double-click) to open or start "
                             "the visit. F2 comes back here from anywhere.")
    EMPTY_HINT = QT_TRANSLATE_NOOP("TodayList", "Nobody is due for treatment and no visit is under way today. Find "
                                   "a patient in the list on the left to open their record or start a visit. F2 comes "
                                   "back here from anywhere.")

    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.heading = QLabel()
        self.heading.setObjectName("today_heading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.heading.setWordWrap(True)  # at 200 % text size the date and counts take two lines
        self.hint_text, self.empty_hint_text = self.tr(self.HINT), self.tr(self.EMPTY_HINT)
        self.hint = hint = QLabel(self.hint_text)
        hint.setObjectName("today_hint")
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        self.model = TodayModel(tuple(self.tr(header) if header else "" for header in self.HEADERS), self)
        self.table = QTableView()
        self.table.setObjectName("today_table")
        self.table.setAccessibleName(self.tr("Patients due today and visits under way"))
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Columns fitted once to the rows on screen after each refresh (resizeColumnsToContents looks at
        # those only), not continuously: fitting as rows arrive grew with the square of the list.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(100)
        self.table.doubleClicked.connect(lambda index: self.activate(index.row()))
        self.table.installEventFilter(self)
        self.rows: list[StartedVisit | DueTreatment | None] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        today = self.clinic.today()
        started = self.clinic.visits_on(today)
        due = self.clinic.due_treatments()
        # The day in the interface's language; the counts with the language's plural forms.
        day = QLocale().toString(QDate(today.year, today.month, today.day), "dddd d MMMM yyyy")
        self.heading.setText(self.tr("Today, {day}: {due}, {started}").format(
            day=day, due=self.tr("%n due for treatment", "", len(due)),
            started=self.tr("%n visit(s) under way", "", len(started))))
        self.rows = []
        cells: list[tuple[str, ...]] = []
        if started:
            self._section(cells, self.tr("Visits under way"))
            for item in started:
                if item.visit is None:
                    what = self.tr("new visit typed {time}, not saved").format(
                        time=isolated(local_time(item.draft_updated)))
                elif item.state is DayState.CHANGES_NOT_SAVED:
                    what = self.tr("{kind}; changes typed {time}").format(
                        kind=isolated(VisitKind(item.visit.kind).label), time=isolated(local_time(item.draft_updated)))
                else:
                    what = VisitKind(item.visit.kind).label
                cells.append((item.state.label, item.patient.display_name, item.patient.clinic_id, what, "", "", "", ""))
                self.rows.append(item)
        if due:
            self._section(cells, self.tr("Due for treatment"))
            for item in due:
                last = (item.last_treatment.isoformat() if item.last_treatment
                        else self.tr("none yet (due from the course start)"))
                cells.append((item.status.label, item.patient.display_name, item.patient.clinic_id,
                              course_name(item.course), item.window.describe(), last, str(item.treatments_done + 1),
                              item.labs))
                self.rows.append(item)
        self.model.show(cells, self.rows)
        self.table.resizeColumnsToContents()
        first = self._entry_row_from(0)
        if first >= 0:
            self._select(first)
        self.hint.setText(self.hint_text if first >= 0 else self.empty_hint_text)
        self.hint.setStyleSheet("color: #555;")

    def _entry_row_from(self, row: int) -> int:
        """The first row at or after ``row`` (else before it) that is a patient, not a heading; -1 if none."""
        row = max(row, 0)
        after = [r for r in range(row, len(self.rows)) if self.rows[r] is not None]
        before = [r for r in range(min(row, len(self.rows)) - 1, -1, -1) if self.rows[r] is not None]
        return (after or before or [-1])[0]

    def _select(self, row: int) -> None:
        select_row(self.table, row)

    def _section(self, cells: list, title: str) -> None:
        cells.append((title, *("",) * (len(self.HEADERS) - 1)))
        self.rows.append(None)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        """Enter opens the selected row. The key is claimed before shortcuts see it, as the patient
        list's own Enter shortcut stays active beside this page."""
        if watched is self.table and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            if event.type() == QEvent.Type.KeyPress:
                self.activate(self.table.currentIndex().row())
            return True
        return super().eventFilter(watched, event)

    def activate(self, row: int) -> None:
        """Open the visit (or start the treatment) of ``row``; a heading, or no row chosen, opens the
        nearest patient's; with nobody listed, says so and how to go on."""
        row = self._entry_row_from(row)
        if row < 0:
            self.hint.setText(self.empty_hint_text)
            self.hint.setStyleSheet("color: #8a5a00; font-weight: bold;")
            return
        self._select(row)
        entry = self.rows[row]
        if isinstance(entry, DueTreatment):
            self.start_treatment.emit(entry.patient.id, entry.course.id)
        elif isinstance(entry, StartedVisit):
            if entry.visit is None:
                self.continue_new_visit.emit(entry.patient.id)
            else:
                self.open_visit.emit(entry.visit.id)
