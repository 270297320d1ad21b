"""Clinic overview: every active patient with the latest value and change since baseline of each
measure and the course status; sortable, filterable, a double-click opens the trajectory.

A measure cell is coloured by the change it shows, judged against the measure's meaningful-change
threshold in its direction of worsening, and says so in words too ("worse", "better"), so the
meaning never rests on colour alone; the status column keeps the colour of the confirmed-event
status. A legend under the table says what each colour means."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.services.overview import OverviewRow, overview_pages
from pmsdesk.services.series import COMPUTED_FLAGS_NOTICE, ChangeShown, Status
from pmsdesk.ui.background import run_in_background
from pmsdesk.ui.columns import fit_columns
from pmsdesk.ui.table_models import RowsTableModel

STATUS_COLORS = {Status.WORSENING: "#c0392b", Status.IMPROVEMENT: "#1e8449", Status.UNCONFIRMED: "#b9770e",
                 Status.STABLE: "#2e4053", Status.NO_DATA: "#7f8c8d"}
# A measure cell's colour, by the change it shows (pmsdesk.services.series.ChangeShown).
CHANGE_COLORS = {ChangeShown.WORSE: "#c0392b", ChangeShown.BETTER: "#1e8449", ChangeShown.WITHIN: "#2e4053",
                 None: "#7f8c8d"}

FIXED_COLUMNS = ("Patient", "Identifier", "Phenotype", "Status", "Visits", "Last visit")
STATUS_COLUMN = FIXED_COLUMNS.index("Status")
_FIXED_SORT = (lambda r: (r.name.lower(), r.patient_id), lambda r: r.clinic_id.lower(), lambda r: r.phenotype,
               lambda r: Status.ORDER.index(r.status), lambda r: r.visit_count, lambda r: r.last_visit)


class OverviewModel(RowsTableModel):
    """The overview's rows (pmsdesk.services.overview.OverviewRow) as they arrive, filtered and sorted in
    Python: a QSortFilterProxyModel would call back into Python for every comparison, seconds for a
    clinic of 30,000. Only the rows on screen are ever drawn."""

    def __init__(self, measures, parent=None):
        super().__init__([*FIXED_COLUMNS, *(measure.label for measure in measures)], parent)
        self.measures = measures
        self.loaded: list[OverviewRow] = []  # self.rows are those shown: loaded, filtered, sorted
        self.words: list[str] = []
        self.status: str | None = None
        self.sort_column, self.sort_order = STATUS_COLUMN, Qt.SortOrder.AscendingOrder

    # ----- what is shown
    def clear(self) -> None:
        self.beginResetModel()
        self.loaded, self.rows = [], []
        self.endResetModel()

    def add(self, rows: list[OverviewRow]) -> None:
        self.loaded.extend(rows)
        self._reshow()

    def set_text(self, text: str) -> None:
        self.words = text.lower().split()
        self._reshow()

    def set_status(self, status: str | None) -> None:
        self.status = status
        self._reshow()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # noqa: D102 - Qt API
        self.sort_column, self.sort_order = column, order
        self._reshow()

    def _accepts(self, row: OverviewRow) -> bool:
        if self.status and row.status != self.status:
            return False
        text = f"{row.name} {row.clinic_id} {row.phenotype}".lower()
        return all(word in text for word in self.words)

    def _reshow(self) -> None:
        column = self.sort_column
        if column < len(FIXED_COLUMNS):
            key = _FIXED_SORT[column]
        else:
            key = lambda r, i=column - len(FIXED_COLUMNS): r.cells[i].sort  # noqa: E731
        self.layoutAboutToBeChanged.emit()
        self.rows = sorted(filter(self._accepts, self.loaded), key=key,
                           reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()

    # ----- Qt's model interface
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row, column = self.rows[index.row()], index.column()
        if column >= len(FIXED_COLUMNS):
            cell = row.cells[column - len(FIXED_COLUMNS)]
            if role == Qt.ItemDataRole.DisplayRole:
                return cell.text
            if role == Qt.ItemDataRole.ToolTipRole:
                return cell.tooltip or None
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(CHANGE_COLORS[cell.judged]))
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, row.clinic_id, row.phenotype, row.status, str(row.visit_count), row.last_visit)[column]
        if column == STATUS_COLUMN and role == Qt.ItemDataRole.ToolTipRole:
            return row.status_detail
        if column == STATUS_COLUMN and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(STATUS_COLORS[row.status]))
        return None

    def patient_id(self, row: int) -> int:
        return self.rows[row].patient_id


def legend_text(measures) -> str:
    """What the colours of the table mean, with the direction of worsening of each measure."""
    def swatch(color: str, word: str) -> str:
        return f"<span style='color:{color}; font-weight:bold;'>\u25a0 {word}</span>"

    higher = ", ".join(m.label for m in measures if m.change_rule is not None and m.higher_is_worse)
    lower = ", ".join(m.label for m in measures if m.change_rule is not None and not m.higher_is_worse)
    none = ", ".join(m.label for m in measures if m.change_rule is None)
    direction = f"worse is higher for {higher}" + (f", lower for {lower}" if lower else "")
    statuses = ", ".join(f"<span style='color:{STATUS_COLORS[s]};'>{s}</span>" for s in Status.ORDER)
    return (f"Measure cells, by the change since baseline they show ({direction}): "
            f"{swatch(CHANGE_COLORS[ChangeShown.WORSE], 'worse')} reaches the meaningful-change threshold, "
            f"{swatch(CHANGE_COLORS[ChangeShown.BETTER], 'better')} reaches it the other way, "
            f"{swatch(CHANGE_COLORS[ChangeShown.WITHIN], 'within')} below it (no word added), "
            f"{swatch(CHANGE_COLORS[None], 'grey')} baseline only"
            + (f" or no threshold ({none})" if none else "") + ". "
            f"Status column, by confirmed events: {statuses}.")


class ClinicOverview(QWidget):
    """Emits ``open_trajectory(patient_id)`` on a double-click or Enter."""

    open_trajectory = Signal(int)

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.measures = REGISTRY.followed_measures()
        self.model = OverviewModel(self.measures, self)
        self.loading = None  # the background operation reading the rows, while it runs
        self.table = QTableView()
        self.table.setObjectName("overview_table")
        self.table.setAccessibleName("Clinic overview: one patient a row")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        # No sideways scrolling: a long name (then the status) is elided first, whole on hover.
        fit_columns(self.table, [FIXED_COLUMNS.index("Patient"), STATUS_COLUMN])
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))

        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by name, identifier or phenotype")
        self.search.setAccessibleName("Filter patients by name, identifier or phenotype")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.model.set_text)
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for status in Status.ORDER:
            self.status.addItem(status, status)
        self.status.currentIndexChanged.connect(lambda _i: self.model.set_status(self.status.currentData()))
        self.counts = QLabel()

        heading = QLabel("Clinic overview")
        heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.status)
        bar.addWidget(self.counts)
        explanation = QLabel(
            "Latest value (change since baseline) per measure; status from confirmed events (12-week "
            "confirmation, fixed baseline). Sort a measure column to put the most worsened first. "
            "Double-click opens the trajectory. " + COMPUTED_FLAGS_NOTICE)
        explanation.setWordWrap(True)
        explanation.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explanation)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.legend = QLabel(legend_text(self.measures))
        self.legend.setObjectName("overview_legend")
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)

    def refresh(self) -> None:
        """Read the rows again, a page at a time in the background: the first page is on screen (sortable,
        filterable) while the rest arrives; patients whose row was never computed are computed then."""
        self.stop_loading()
        self.model.clear()
        self.counts.setText("reading\u2026")
        self.table.horizontalHeader().setSortIndicator(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
        self.model.sort(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
        clinic = self.clinic

        def read(job) -> int:
            for page in overview_pages(clinic, cancelled=job.cancelled):
                job.deliver(page)
            return len(self.model.loaded)

        loading = run_in_background(self, "reading the clinic overview", read,
                                    on_done=lambda _n: self._show_counts(final=True) if loading is self.loading else None)
        # pages of a reading cancelled meanwhile (a refresh, or the overview left) are not shown
        loading.delivered.connect(lambda page: self._page_arrived(loading, page))
        self.loading = loading

    def _page_arrived(self, loading, page: list[OverviewRow]) -> None:
        if loading is self.loading and not loading.cancel_requested_at:
            self.model.add(page)
            self._show_counts(final=False)

    def _show_counts(self, *, final: bool) -> None:
        counts: dict[str, int] = {}
        for row in self.model.loaded:
            counts[row.status] = counts.get(row.status, 0) + 1
        text = " \u00b7 ".join(f"{counts[s]} {s}" for s in Status.ORDER if s in counts)
        self.counts.setText(text if final else f"{text} \u2026 reading")

    def wait_loaded(self) -> None:
        """Wait (with the event loop running) until every row has arrived."""
        if self.loading is not None and self.loading.running:
            self.loading.wait()

    def stop_loading(self) -> None:
        """Stop reading, without waiting: the worker stops within one chunk of rows (those computed
        stay stored for the next time), and nothing more it reads is shown."""
        if self.loading is not None and self.loading.running:
            self.loading.cancel()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API: leaving the overview stops its reading
        self.stop_loading()
        super().hideEvent(event)

    def patient_id_at(self, row: int) -> int:
        return self.model.patient_id(row)

    def _open(self, row: int) -> None:
        if row >= 0:
            self.open_trajectory.emit(self.patient_id_at(row))
