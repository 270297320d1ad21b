"""The review desk: the neurologist's queue of saved visits waiting for a signature, oldest first.

Each row says whose visit it is, when and what kind, who recorded it, what was recorded and what to
look at before signing. Enter or a double-click opens the visit in the editor; "Sign selected" asks
for the meaning of the signature and the signer's password once (the signature dialog) and signs
every selected visit through the one signing path (Clinic.sign_visits, with the version each row was
read at): a visit changed since, or refused, is named with its reason and the others still sign.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Action
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.review import AwaitingSignature
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.permissions import allow
from pmsdesk.ui.signoff import SignatureDialog
from pmsdesk.ui.table_models import select_row

HEADERS = ("Visit date", "Patient", "Kind", "Recorded by", "Recorded", "Check before signing")


class ReviewDesk(QWidget):
    open_visit = Signal(int)

    HINT = ("Arrow to a visit and press Enter (or double-click) to review it in the editor. Select one or "
            "several reviewed visits (Shift or Ctrl + click) and press \u201cSign selected\u201d (Ctrl+Shift+S).")

    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.items: list[AwaitingSignature] = []
        self.heading = QLabel()
        self.heading.setObjectName("review_heading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        hint = QLabel(self.HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.outcome = QLabel()  # what the last signing did
        self.outcome.setObjectName("review_outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("review_table")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.open_button = QPushButton("Open visit")
        self.open_button.setObjectName("review_open")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.sign_button = QPushButton("Sign selected")
        self.sign_button.setObjectName("review_sign")
        self.sign_button.setShortcut("Ctrl+Shift+S")
        self.sign_button.clicked.connect(self.sign_selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)

    # ----- the queue ----------------------------------------------------------------------------
    def refresh(self) -> None:
        with guarded(self, "reading the visits waiting for a signature", title="Visits to sign") as read:
            items = self.clinic.visits_awaiting_signature()
        if not read:
            return
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (item.visit_date.isoformat(), item.patient_name, item.kind, item.recorded_by,
                     item.summary, "\n".join(item.warnings))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 5 and text:
                    cell.setForeground(QColor("#8a5a00"))
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        count = len(items)
        self.heading.setText("No visits waiting for a signature" if count == 0 else
                             f"{count} visit{'s' if count != 1 else ''} waiting for a signature")
        if count and self.table.currentRow() < 0:
            select_row(self.table, 0)
        self._selection_changed()

    def _selection_changed(self) -> None:
        selected = bool(self.selected_rows())
        allow(self.sign_button, self.clinic.actor, Action.SIGN_VISIT, also=selected,
              otherwise="Select the visits you reviewed first.")
        self.open_button.setEnabled(self.table.currentRow() >= 0 and bool(self.items))

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectionModel().selectedRows()})

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        """Enter opens the current visit (claimed before the window's shortcuts see it)."""
        if watched is self.table and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.accept()
            if event.type() == QEvent.Type.KeyPress:
                self.open_row(self.table.currentRow())
            return True
        return super().eventFilter(watched, event)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.items):
            self.open_visit.emit(self.items[row].visit_id)

    # ----- signing ------------------------------------------------------------------------------
    def sign_selected(self) -> None:
        chosen = [self.items[row] for row in self.selected_rows() if row < len(self.items)]
        if not chosen:
            return
        dialog = SignatureDialog(self, self.clinic.actor,
                                 [f"{i.visit_date.isoformat()}  {i.patient_name}  ({i.kind})" for i in chosen],
                                 lambda meaning, password: self.clinic.sign_visits(
                                     [(i.visit_id, i.version) for i in chosen], password=password, meaning=meaning))
        with guarded(self, "signing the visits", title="Visits not signed") as shown:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if not (shown and accepted):
            return
        outcome = dialog.result_of_signing
        signed = [item for item in chosen if item.visit_id not in outcome.refusals]
        refused = [(item, str(outcome.refusals[item.visit_id])) for item in chosen if item.visit_id in outcome.refusals]
        lines = [f"Signed {len(signed)} visit{'s' if len(signed) != 1 else ''}."] if signed else []
        lines += [f"Not signed: {item.visit_date.isoformat()} {item.patient_name} \u2013 {reason}"
                  for item, reason in refused]
        self.refresh()
        self.outcome.setText("\n".join(lines))
        self.outcome.setStyleSheet("color: #a00000;" if refused else "color: #1b5e20;")
        if refused:
            QMessageBox.warning(self, "Some visits not signed", "\n\n".join(lines))
