"""pmsdesk's log: its own messages only, in a private file in the user's log folder.

What is logged names records by their ids and says what happened ("visit 12 saved"); it never
contains a patient's name or a clinical value (a test checks this). SQLAlchemy's statement log is not
attached, and the engine hides statement parameters anyway.
"""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_DIR_VARIABLE = "PMSDESK_LOG_DIR"
LOG_LEVEL_VARIABLE = "PMSDESK_LOG_LEVEL"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _PrivateFileHandler(RotatingFileHandler):
    """A rotating log whose every file, rotated ones included, is readable by this user only."""

    def _open(self):
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


def log_folder() -> Path:
    from platformdirs import user_log_path

    chosen = os.environ.get(LOG_DIR_VARIABLE)
    return Path(chosen) if chosen else user_log_path("pmsdesk", appauthor=False)


class _TerminalHandler(logging.StreamHandler):
    """Where warnings and errors go when the log file cannot be written."""


def configure_logging(level: str | int | None = None) -> Path | None:
    """Send the ``pmsdesk`` loggers to ``pmsdesk.log`` (1 MB, 3 older files kept); returns its path.
    Level: ``level``, else $PMSDESK_LOG_LEVEL, else INFO. Calling it again replaces the handler.

    A log folder or file that cannot be written (read-only, another user's, a full disk) must not stop
    the app or a command: warnings and errors then go to the terminal (stderr) only, which is said
    there once, and None is returned."""
    logger = logging.getLogger("pmsdesk")
    for handler in [h for h in logger.handlers if isinstance(h, _PrivateFileHandler | _TerminalHandler)]:
        logger.removeHandler(handler)
        handler.close()
    chosen = level or os.environ.get(LOG_LEVEL_VARIABLE, "INFO")
    if isinstance(chosen, str) and chosen.upper() not in logging.getLevelNamesMapping():
        print(f"pmsdesk: {LOG_LEVEL_VARIABLE}={chosen} is not a log level (DEBUG, INFO, WARNING, ERROR): "
              "logging at INFO", file=sys.stderr)
        chosen = "INFO"
    logger.setLevel(chosen.upper() if isinstance(chosen, str) else chosen)
    folder = log_folder()
    path = folder / "pmsdesk.log"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError as error:
        print(f"pmsdesk: cannot write the log {path} ({error.strerror or error}): warnings and errors go to "
              f"this terminal only (${LOG_DIR_VARIABLE} chooses another log folder)", file=sys.stderr)
        handler, path = _TerminalHandler(sys.stderr), None
        handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    return path
