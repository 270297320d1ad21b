"""The clinic-wide audit trail for administrators (Safety \u203a Clinic audit trail, Ctrl+Shift+A): every
entry, newest first, one line per change, filtered by person, patient, kind and date range (the
filters run in the database; older lines are read as the table scrolls to them), and the lines
matching the filters exported as a private CSV. Read only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from pmsdesk.services.clinic import Clinic
from pmsdesk.services.clinic_audit import (
    COLUMNS,
    KINDS_OF_ENTRY,
    AuditFilter,
    AuditPage,
    audit_page,
    audit_people,
    export_audit_csv,
)
from pmsdesk.ui.audit_viewer import TrailDialog
from pmsdesk.ui.dialogs import resize_on_screen
from pmsdesk.ui.operations import guarded

COLUMN_WIDTHS = (120, 190, 230, 450)  # When, Who, Patient, What; Reason takes the rest


class DayFilter(QWidget):
    """A "from" or "to" day: unticked means any date; ticked, a day typed (yyyy-MM-dd) or chosen
    from the calendar (Alt+Down). Space on the box ticks it, Tab goes on to the date."""

    changed = Signal()

    def __init__(self, text: str, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.box = QCheckBox(text)
        self.box.setObjectName(f"{name}_set")
        self.box.setToolTip("Untick for any date.")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setObjectName(name)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumWidth(self.date.fontMetrics().horizontalAdvance("0000-00-00") + 50)  # and the arrow
        self.date.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.date)
        self.box.toggled.connect(self.date.setEnabled)
        self.box.toggled.connect(self.changed)
        self.date.dateChanged.connect(lambda _date: self.box.isChecked() and self.changed.emit())

    def day(self) -> dt.date | None:
        return self.date.date().toPython() if self.box.isChecked() else None


class ClinicAuditDialog(TrailDialog):
    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__("Clinic audit trail", "Every entry of the clinic's audit trail, newest first, one line per "
                         "change, in local time to the minute. Older lines are read as you scroll. The trail is "
                         "append-only: nothing in it can be changed.", COLUMNS, wrap=False, parent=parent)
        self.setObjectName("clinic_audit")
        self.clinic = clinic
        resize_on_screen(self, 1240, 660)
        self.filters = AuditFilter()
        self.next_before_id: int | None = None
        self.read = 0  # lines read with the current filters

        self.person = QComboBox()
        self.person.setObjectName("audit_person")
        self.person.addItem("Anyone", None)
        self.kind = QComboBox()
        self.kind.setObjectName("audit_kind")
        self.kind.addItem("Every kind", None)
        for key, (label, _condition) in KINDS_OF_ENTRY.items():
            self.kind.addItem(label, key)
        self.patient = QLineEdit()
        self.patient.setObjectName("audit_patient")
        self.patient.setPlaceholderText("name or clinic identifier")
        self.patient.setClearButtonEnabled(True)
        self.since = DayFilter("&From", "audit_since")
        self.until = DayFilter("&To", "audit_until")
        self.status = QLabel()
        self.status.setObjectName("audit_status")
        self.export_button = QPushButton("E&xport these lines\u2026")
        self.export_button.setObjectName("audit_export")
        self.export_button.setToolTip("Every line matching the filters above (not only those read so far), as a "
                                      "CSV file readable by you only; the export is itself recorded.")
        self.buttons.addButton(self.export_button, self.buttons.ButtonRole.ActionRole)

        bar = QGridLayout()
        for column, (text, box) in enumerate((("&Person", self.person), ("P&atient", self.patient),
                                              ("&Kind", self.kind), ("Dates (any unless ticked)", self.since),
                                              ("", self.until))):
            label = QLabel(text)
            if not isinstance(box, DayFilter):  # a day filter's own tick box carries its shortcut
                label.setBuddy(box)
            bar.addWidget(label, 0, column)
            bar.addWidget(box, 1, column)
        bar.setColumnStretch(1, 1)
        self.layout_.insertLayout(1, bar)
        self.layout_.insertWidget(3, self.status)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.trail.table.setColumnWidth(column, width)

        self.patient_typed = QTimer(self, singleShot=True, interval=300)  # read once the typing pauses
        self.patient_typed.timeout.connect(self.apply_filters)
        self.patient.textChanged.connect(self.patient_typed.start)
        for box in (self.person, self.kind):
            box.currentIndexChanged.connect(self.apply_filters)
        for day in (self.since, self.until):
            day.changed.connect(self.apply_filters)
        self.export_button.clicked.connect(self.export)
        with guarded(self, "reading the user accounts", title="Clinic audit trail"):
            for username, shown in audit_people(clinic):
                self.person.addItem(shown, username)
        self.apply_filters()

    def current_filters(self) -> AuditFilter:
        return AuditFilter(actor=self.person.currentData(), patient=self.patient.text(),
                           kind=self.kind.currentData(), since=self.since.day(), until=self.until.day())

    def apply_filters(self) -> None:
        """Read the newest lines matching the filters afresh."""
        self.patient_typed.stop()
        self.filters = self.current_filters()
        self.next_before_id, self.read = None, 0
        page = self._read_page()
        if page is not None:
            self.trail.show_rows([row.cells() for row in page.rows], fetch_more=self._older,
                                 more=page.next_before_id is not None)
            self._show_count()

    def _read_page(self) -> AuditPage | None:
        with guarded(self, "reading the audit trail", title="Clinic audit trail") as read:
            page = audit_page(self.clinic, self.filters, before_id=self.next_before_id)
        if not read:
            return None
        self.next_before_id = page.next_before_id
        self.read += len(page.rows)
        return page

    def _older(self) -> tuple[list[tuple[str, ...]], bool]:
        """The next (older) page, when the table scrolls to its end."""
        page = self._read_page()
        self._show_count()
        if page is None:
            return [], False
        return [row.cells() for row in page.rows], page.next_before_id is not None

    def _show_count(self) -> None:
        if self.next_before_id is None:
            self.status.setText(f"{self.read} line{'s' if self.read != 1 else ''} match the filters.")
        else:
            self.status.setText(f"The newest {self.read} matching lines are shown; scroll down for older ones.")

    def export(self) -> None:
        """Every line matching the filters, to a CSV file the person chooses (private, and audited)."""
        filters = self.current_filters()
        proposed = f"pmsdesk-audit-trail-{self.clinic.today().isoformat()}.csv"
        chosen, _ = QFileDialog.getSaveFileName(self, "Export the audit trail", proposed, "CSV files (*.csv)")
        if not chosen:
            return
        with guarded(self, "exporting the audit trail", expected=(OSError,), title="Audit trail not exported") as done:
            path, count = export_audit_csv(self.clinic, filters, Path(chosen))
        if done:
            QMessageBox.information(self, "Audit trail exported",
                                    f"{count} line{'s' if count != 1 else ''} written to {path} (readable by you "
                                    "only). The export is recorded in the audit trail.")
            self.apply_filters()  # the export's own entry is the newest line now
