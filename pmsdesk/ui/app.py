"""Starting the desktop app."""

from __future__ import annotations

import sys


def run_app(database_option: str | None, *, demo: bool = False) -> int:
    """Open the main window on the chosen database; ``demo`` opens (and on first use fills) the demo clinic."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pmsdesk.resources import resource_path
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database, DatabaseError, default_database_path
    from pmsdesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("pmsdesk")
    app.setOrganizationName("pmsdesk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "pmsdesk.svg"))))
    if demo and not database_option:
        database_option = str(default_database_path().with_name("demo.sqlite3"))
    try:
        database = Database.open(database_option)
    except DatabaseError as error:
        QMessageBox.critical(None, "pmsdesk cannot open its database", str(error))
        print(f"pmsdesk: error: {error}", file=sys.stderr)
        return 1
    window = MainWindow(Clinic(database))
    window.show()
    if demo and window.clinic.patient_count() == 0:
        window.load_demo()
    try:
        return app.exec()
    finally:
        database.close()
