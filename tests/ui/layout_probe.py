"""Drive every main screen at 1366x768 with long texts and print what does not fit, as JSON.

Run in its own process by tests/ui/test_layout.py, on an offscreen screen of 1366x768
(``QT_QPA_PLATFORM=offscreen:configfile=laptop-screen.json``), so the rest of the suite keeps its screen.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QComboBox, QLineEdit, QWidget

from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.demo import create_demo_accounts, fill_demo_clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow

LONG_FAMILY = "Vandenberghe-Oosterhuis-Kowalczyk de la Fuente"  # 60 characters with the given names
LONG_GIVEN = "Maria-Magdalena Anneke"


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def problems_on(window: QWidget, page: str) -> list[str]:
    shots = os.environ.get("PMSDESK_LAYOUT_SHOTS")  # a folder: each page is also saved as a PNG to look at
    if shots:
        window.grab().save(os.path.join(shots, page.replace(" ", "-") + ".png"))
    found = []
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if not screen.contains(frame):
        found.append(f"{page}: window {frame.width()}x{frame.height()} at {frame.x()},{frame.y()} is not inside "
                     f"the screen {screen.width()}x{screen.height()}")
    inside = QRect(QPoint(0, 0), window.size())
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.width() == 0 or _inside_scroll_area(widget):
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not inside.contains(rect):
            found.append(f"{page}: {type(widget).__name__} {widget.objectName() or ''} at {rect.x()},{rect.y()} "
                         f"{rect.width()}x{rect.height()} reaches outside the window")
    for box in [*window.findChildren(QLineEdit), *window.findChildren(QComboBox)]:
        if not box.isVisibleTo(window):
            continue
        text = box.text() if isinstance(box, QLineEdit) else box.currentText()
        needed = min(box.fontMetrics().horizontalAdvance(text[:12] or "0000") + 12, 90)
        if box.width() < needed:
            found.append(f"{page}: {type(box).__name__} {box.objectName()} is {box.width()} px wide, "
                         f"narrower than its content needs ({needed} px)")
    return found


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    database = Database.open(tempfile.mkdtemp() + "/layout.sqlite3")
    clinic = Clinic(database)
    fill_demo_clinic(clinic, patients=3)
    first = clinic.find_patients()[0]
    stored = clinic.patient(first.id)
    values = {name: getattr(stored, name) for name in ("clinic_id", "birth_date", "sex", "phenotype",
                                                       "dominant_hand", "education_years", "onset_year")}
    clinic.update_patient(first.id, stored.version, {**values, "family_name": LONG_FAMILY, "given_names": LONG_GIVEN,
                                                     "notes": "Long note. " * 50})
    window = MainWindow(clinic)
    window.show()
    found: list[str] = []

    def settle() -> None:
        for _ in range(10):
            app.processEvents()

    settle()
    found += problems_on(window, "today")
    window.patient_view.show_patient(first.id)
    window.pages.setCurrentWidget(window.patient_view)
    settle()
    found += problems_on(window, "patient view")
    editor = window.visit_editor
    editor.open_visit(clinic.visits(first.id)[-1].id)
    window.pages.setCurrentWidget(editor)
    keys = [key for form in editor.forms for key in form.editors]
    editor._show_problems(ValidationFailed([Problem(key, f"{key}: this value is not allowed; enter a number from "
                                                          "0 to 180 s with at most 2 decimal places.")
                                            for key in keys]))
    settle()
    found += problems_on(window, "visit editor with a message on every field")
    editor.summary.hide()
    for form in editor.forms:
        form.show_problems({})
    opened = clinic.visit_record(editor.record.visit.id).visit
    create_demo_accounts(database)
    neurologist = Accounts(database).sign_in("demo-neurologist", "demo-clinic")
    Clinic(database, actor=neurologist).sign_visit(opened.id, opened.version)
    editor.open_visit(opened.id)
    editor.signoff.amendment_reason = "The second T25FW trial was typed from the wrong line of the paper form. " * 7
    editor.signoff.show_state()
    settle()
    assert editor.status.text().startswith("Amending (reason: The second"), editor.status.text()
    found += problems_on(window, "visit editor amending with a 500-character reason")
    window.show_overview()
    settle()
    found += problems_on(window, "clinic overview")
    window.show_trajectory(first.id)
    settle()
    found += problems_on(window, "trajectory")
    window.show_review_desk()
    settle()
    found += problems_on(window, "review desk")
    print(json.dumps({"screen": [window.screen().availableGeometry().width(),
                                 window.screen().availableGeometry().height()], "problems": found}))


if __name__ == "__main__":
    main()
