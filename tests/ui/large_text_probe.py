"""Open the main window and a visit at the text size QT_SCALE_FACTOR gives, on a 1366x768 screen, and print
as JSON how the window and the visit editor compare with the screen's available area.

Run in its own process by tests/ui/test_large_text.py: the scale factor must be set before QApplication.
A size stored by an earlier session on a larger screen (2049x1152, as issue 17 measured) is restored first.
"""

from __future__ import annotations

import json
import sys
import tempfile

from PySide6.QtWidgets import QApplication

from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS
from pmsdesk.domain.settings import MAIN_WINDOW_POSITION, MAIN_WINDOW_SIZE
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.audit_viewer import HistoryDialog
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.window_settings import WindowSettings


def settle(app: QApplication) -> None:
    for _ in range(10):
        app.processEvents()


def size(widget_size) -> list[int]:
    return [widget_size.width(), widget_size.height()]


def main() -> None:
    app = QApplication(sys.argv)
    clinic = Clinic(Database.open(tempfile.mkdtemp() + "/large-text.sqlite3"))
    fill_demo_clinic(clinic, patients=3)
    stored = WindowSettings(clinic.actor.name)
    stored.set(MAIN_WINDOW_SIZE, (2049, 1152))
    stored.set(MAIN_WINDOW_POSITION, (0, 0))
    window = MainWindow(clinic)
    window.show()
    settle(app)
    area = window.screen().availableGeometry()
    report = {"available": size(area), "opened": size(window.frameGeometry().size()),
              "least": size(window.minimumSizeHint().expandedTo(window.minimumSize()))}
    patient = clinic.find_patients()[0]
    window.open_visit(clinic.visits(patient.id)[-1].id)
    settle(app)
    editor = window.visit_editor
    window.resize(area.width() // 2, area.height() // 2)  # shrunk: nothing may force it larger again
    settle(app)
    report["shrunk"] = size(window.size())
    window.resize(area.size() - (window.frameGeometry().size() - window.size()))
    settle(app)
    report.update(
        with_visit=size(window.frameGeometry().size()), inside=area.contains(window.frameGeometry()),
        editor_least=size(editor.minimumSizeHint()), editor=size(editor.size()),
        editor_sideways=editor.scroll.horizontalScrollBar().maximum(),
        columns_across=editor.scroll.widget().across)
    record = RecordDialog("Adverse event", ADVERSE_EVENT_FIELDS, lambda raw: None, parent=window)
    record.show_refusal(ValidationFailed([Problem(field.name, f"{field.label}: this value is not allowed.")
                                          for field in ADVERSE_EVENT_FIELDS]))
    history = HistoryDialog("History", ["2026-11-20 14:08 \u00b7 Saved"], window)  # sized for 100 % text
    for dialog in (record, history):
        dialog.show()
        settle(app)
    report.update(record_inside=area.contains(record.frameGeometry()),
                  record_form_inside=record.rect().contains(record.scroll.geometry()),
                  history_inside=area.contains(history.frameGeometry()))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
