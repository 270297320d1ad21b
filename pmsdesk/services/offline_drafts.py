"""Drafts kept on this computer while the clinic's database server cannot be reached.

A nurse's typing is kept as a draft in the database every few seconds (Clinic.save_draft). When the
server is gone (network, restart), that write would lose it: the draft is written here instead, one
private file per visit in the user's data folder (``offline-drafts/<database>/``; the environment
variable ``PMSDESK_OFFLINE_DIR`` moves it), and moved into the database by the first draft write that
reaches the server again. Reading a draft prefers the newer of the two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import exc

from pmsdesk.files import write_atomically

OFFLINE_DIR_VARIABLE = "PMSDESK_OFFLINE_DIR"


# The SQLSTATE classes of a connection that is gone: 08 (connection exception) and 57P (the server shut
# down or restarting). Any other code is the server's answer to the write, a deadlock or a
# serialization failure among them: the server was reached.
CONNECTION_LOST_STATES = ("08", "57P")


def lost_connection(error: BaseException) -> bool:
    """Whether a database error means the server could not be reached (not a refusal of the write)."""
    if not isinstance(error, exc.DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None)  # psycopg's; None when no server answered
    if state is not None and not state.startswith(CONNECTION_LOST_STATES):
        return False
    return error.connection_invalidated or isinstance(error, (exc.OperationalError, exc.InterfaceError))


@dataclass(frozen=True)
class OfflineDraft:
    patient_id: int
    visit_id: int | None
    raw: dict[str, Any]
    typed_at: dt.datetime
    username: str


class OfflineDrafts:
    """The drafts of one database kept on this computer."""

    def __init__(self, database_location: str, root: Path | None = None):
        if root is None:
            from platformdirs import user_data_path

            root = Path(os.environ.get(OFFLINE_DIR_VARIABLE) or user_data_path("pmsdesk", appauthor=False) /
                        "offline-drafts")
        # One folder per database, named by a digest of where it is (the location shows no password).
        self.folder = root / hashlib.sha256(database_location.encode()).hexdigest()[:16]

    def _path(self, patient_id: int, visit_id: int | None) -> Path:
        return self.folder / f"patient-{patient_id}-visit-{'new' if visit_id is None else visit_id}.json"

    def keep(self, patient_id: int, visit_id: int | None, raw_text: str, username: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder.parent, 0o700)
        record = {"patient_id": patient_id, "visit_id": visit_id, "raw": json.loads(raw_text),
                  "typed_at": dt.datetime.now(dt.UTC).isoformat(), "username": username}
        write_atomically(self._path(patient_id, visit_id), json.dumps(record).encode())

    def get(self, patient_id: int, visit_id: int | None) -> OfflineDraft | None:
        path = self._path(patient_id, visit_id)
        return _read(path) if path.exists() else None

    def forget(self, patient_id: int, visit_id: int | None) -> None:
        self._path(patient_id, visit_id).unlink(missing_ok=True)

    def pending(self) -> Iterator[OfflineDraft]:
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("patient-*.json")):
                yield _read(path)


def _read(path: Path) -> OfflineDraft:
    record = json.loads(path.read_text(encoding="utf-8"))
    return OfflineDraft(record["patient_id"], record["visit_id"], record["raw"],
                        dt.datetime.fromisoformat(record["typed_at"]), record["username"])
