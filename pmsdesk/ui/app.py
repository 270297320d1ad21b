"""Starting the desktop app."""

from __future__ import annotations

import sys


def run_app(database_option: str | None, *, demo: bool = False, signed_in_as: tuple[str, str] | None = None,
            language: str | None = None) -> int:
    """Open the main window on the chosen database; ``demo`` opens (and on first use fills) the demo clinic.
    ``signed_in_as`` (user name, password: ``--user`` with $PMSDESK_PASSWORD) signs in without the
    sign-in window; a refusal is one line and exit status 1. ``language`` (``--language``) is the
    interface's language, remembered on this workstation (pmsdesk.ui.languages)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pmsdesk.resources import resource_path
    from pmsdesk.services.opening import ClinicDatabase, DatabaseError, demo_database_location

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("pmsdesk")
    app.setOrganizationName("pmsdesk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "pmsdesk.svg"))))
    from pmsdesk.ui.languages import choose_language, install_language

    install_language(choose_language(language))  # before the first window: the sign-in is translated too
    from pmsdesk.ui.operations import install_excepthook

    install_excepthook()  # a fault escaping a slot is shown and logged (no patient data), not a stderr traceback
    if demo and not database_option:
        database_option = demo_database_location()
    try:
        database = ClinicDatabase.open(database_option, ask_password=_ask_server_password)
    except DatabaseError as error:
        QMessageBox.critical(None, QCoreApplication.translate("App", "pmsdesk cannot open its database"),
                             str(error))
        print(f"pmsdesk: error: {error}", file=sys.stderr)
        return 1
    hint = ""
    if demo:
        hint = _prepare_demo_clinic(database)
    if signed_in_as is not None:
        import importlib
        from concurrent.futures import ThreadPoolExecutor

        from pmsdesk.services.accounts import SignInRefused

        # The password check (argon2: a few hundred milliseconds of work that leaves the GIL free)
        # runs while this thread loads the main window's code; nothing is shown before it passed.
        with ThreadPoolExecutor(1, thread_name_prefix="pmsdesk-sign-in") as signing_in:
            checked = signing_in.submit(database.accounts().sign_in, *signed_in_as)
            importlib.import_module("pmsdesk.ui.main_window")
        try:
            actor = checked.result()
        except SignInRefused as refused:
            print(f"pmsdesk: error: sign-in refused: {refused}", file=sys.stderr)
            database.close()
            return 1
    else:
        from pmsdesk.ui.sign_in import sign_in

        actor = sign_in(database.accounts(), hint=hint)  # the main window's code loads once it is needed
    if actor is None:
        database.close()
        return 0
    from pmsdesk.ui.automatic_backups import start_automatic_backups
    from pmsdesk.ui.main_window import MainWindow
    from pmsdesk.ui.preload import import_once_usable

    window = MainWindow(database.clinic(actor))
    window.automatic_backups = start_automatic_backups(window, window.clinic)
    window.show()
    import_once_usable(window)  # the first trajectory then does not wait for pyqtgraph's import
    try:
        return app.exec()
    finally:
        database.close()


def _prepare_demo_clinic(database) -> str:
    """Fill an empty demo database (patients and sign-in accounts); returns the sign-in hint for a demo."""
    from pmsdesk.ui.demo import fill_demo_with_progress

    return database.prepare_demo(fill_demo_with_progress)


def _ask_server_password(server: str) -> str | None:
    """The clinic server's password, asked once when neither PGPASSWORD nor a pgpass file gave one."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    password, given = QInputDialog.getText(None, "Clinic database password",
                                           f"The clinic's database server asks for a password:\n{server}",
                                           QLineEdit.EchoMode.Password)
    return password if given else None
