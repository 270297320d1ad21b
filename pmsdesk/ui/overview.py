"""Clinic overview: every active patient with the latest value and change since baseline of each
measure and the course status; sortable, filterable, a double-click opens the trajectory.

A measure cell is coloured by the change it shows, judged against the measure's meaningful-change
threshold in its direction of worsening, and says so in words too ("worse", "better"), so the
meaning never rests on colour alone; the status column keeps the colour of the confirmed-event
status. A legend under the table says what each colour means."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
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
from pmsdesk.services.series import (
    COMPUTED_FLAGS_NOTICE,
    ChangeShown,
    MeasureSeries,
    PatientSeries,
    Status,
    clinic_series,
)
from pmsdesk.ui.columns import fit_columns

STATUS_COLORS = {Status.WORSENING: "#c0392b", Status.IMPROVEMENT: "#1e8449", Status.UNCONFIRMED: "#b9770e",
                 Status.STABLE: "#2e4053", Status.NO_DATA: "#7f8c8d"}
# A measure cell's colour and word, by the change it shows (pmsdesk.services.series.ChangeShown).
CHANGE_COLORS = {ChangeShown.WORSE: "#c0392b", ChangeShown.BETTER: "#1e8449", ChangeShown.WITHIN: "#2e4053",
                 None: "#7f8c8d"}
CHANGE_MARKS = {ChangeShown.WORSE: "worse", ChangeShown.BETTER: "better"}
CHANGE_ROLE = Qt.ItemDataRole.UserRole + 3
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
FIXED_COLUMNS = ("Patient", "Identifier", "Phenotype", "Status", "Visits", "Last visit")
STATUS_COLUMN = FIXED_COLUMNS.index("Status")


def _item(text: str, sort_value=None, tooltip: str = "", color: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(text if sort_value is None else sort_value, SORT_ROLE)
    if tooltip:
        item.setToolTip(tooltip)
    if color:
        item.setForeground(QBrush(QColor(color)))
    return item


def measure_cell(series: MeasureSeries | None) -> QStandardItem:
    """'6.5 (+0.5)': the latest value and its change since baseline, coloured by that change against
    the measure's meaningful-change threshold ("worse" or "better" added in words when it reaches
    it); sorts by the change in the worsening direction, so the most worsened come first descending."""
    if series is None or series.latest is None:
        return _item("", float("-inf"))
    latest, change = series.latest, series.change_since_baseline
    text = series.format_value(latest.value)
    worse_by = None
    if change is not None:
        sign = "+" if change >= 0 else "\u2212"  # a real minus sign, as wide as the plus
        text += f" ({sign}{series.format_value(abs(change))})"
        worse_by = change if series.spec.higher_is_worse else -change
        if series.baseline.value:
            worse_by /= abs(series.baseline.value)  # relative, so T25FW and EDSS columns sort alike
    judged = series.change_shown
    if judged in CHANGE_MARKS:
        text += f" {CHANGE_MARKS[judged]}"
    tooltip = (f"{series.spec.label}: latest {text} on {latest.date.isoformat()}, baseline "
               f"{series.format_value(series.baseline.value)} on {series.baseline.date.isoformat()}; "
               f"{_change_explained(series, judged)}; status {series.status}")
    item = _item(text, float("-inf") if worse_by is None else worse_by, tooltip, CHANGE_COLORS[judged])
    item.setData(judged, CHANGE_ROLE)
    return item


def _change_explained(series: MeasureSeries, judged: str | None) -> str:
    if series.band is None:
        return "no meaningful-change threshold for this measure"
    threshold = f"threshold {series.format_value(series.band.threshold)} ({series.band.rule})"
    if judged is None:
        return f"no change yet; {threshold}"
    return {ChangeShown.WORSE: "change worse than", ChangeShown.BETTER: "change better than",
            ChangeShown.WITHIN: "change within"}[judged] + f" the {threshold}"


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


class OverviewFilter(QSortFilterProxyModel):
    """Rows whose name, identifier or phenotype contain every word typed, and with the chosen status."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.words: list[str] = []
        self.status: str | None = None
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.words = text.lower().split()
        self.invalidate()

    def set_status(self, status: str | None) -> None:
        self.status = status
        self.invalidate()

    def filterAcceptsRow(self, row: int, parent) -> bool:
        model = self.sourceModel()
        if self.status and model.item(row, STATUS_COLUMN).text() != self.status:
            return False
        text = " ".join(model.item(row, column).text().lower() for column in range(STATUS_COLUMN))
        return all(word in text for word in self.words)


class ClinicOverview(QWidget):
    """Emits ``open_trajectory(patient_id)`` on a double-click or Enter."""

    open_trajectory = Signal(int)

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.measures = REGISTRY.followed_measures()
        self.model = QStandardItemModel(0, len(FIXED_COLUMNS) + len(self.measures))
        self.model.setHorizontalHeaderLabels([*FIXED_COLUMNS, *(measure.label for measure in self.measures)])
        self.proxy = OverviewFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("overview_table")
        self.table.setModel(self.proxy)
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
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for status in Status.ORDER:
            self.status.addItem(status, status)
        self.status.currentIndexChanged.connect(lambda _i: self.proxy.set_status(self.status.currentData()))
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
        self.model.removeRows(0, self.model.rowCount())
        rows = clinic_series(self.clinic)
        for patient, series in rows:
            self.model.appendRow(self._row(patient, series))
        counts = {}
        for _patient, series in rows:
            counts[series.status] = counts.get(series.status, 0) + 1
        self.counts.setText(" \u00b7 ".join(f"{counts[s]} {s}" for s in Status.ORDER if s in counts))
        self.table.sortByColumn(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)

    def _row(self, patient, series: PatientSeries) -> list[QStandardItem]:
        name = _item(patient.display_name)
        name.setData(patient.id, PATIENT_ID_ROLE)
        status = series.status
        status_detail = "; ".join(f"{s}: {', '.join(labels)}" for s, labels in series.status_groups().items())
        last = patient.last_visit_date.isoformat() if patient.last_visit_date else ""
        return [
            name,
            _item(patient.clinic_id),
            _item(patient.phenotype),
            _item(status, Status.ORDER.index(status), status_detail, STATUS_COLORS[status]),
            _item(str(patient.visit_count), patient.visit_count),
            _item(last),
            *(measure_cell(series.measures.get(measure.key)) for measure in self.measures),
        ]

    def patient_id_at(self, proxy_row: int) -> int:
        source = self.proxy.mapToSource(self.proxy.index(proxy_row, 0))
        return self.model.item(source.row(), 0).data(PATIENT_ID_ROLE)

    def _open(self, proxy_row: int) -> None:
        if proxy_row >= 0:
            self.open_trajectory.emit(self.patient_id_at(proxy_row))
