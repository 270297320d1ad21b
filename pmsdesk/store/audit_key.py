"""The clinic's audit key: a secret kept outside the database, which seals every audit entry.

Why an HMAC key rather than per-user signing keys: the audit trail is written by the store for
every change, including changes made by the system (imports, restores, the demo clinic) and events
with no signed-in user (a refused sign-in), when no one's password is at hand. A per-user private
key unlocked by the password would leave those entries unsigned or force the key to be held in
memory all session anyway, and a forgotten password would orphan a user's entries.
One symmetric key per clinic, readable by this user's account only, seals every entry the program
writes; someone holding only the database file (a copied file, a backup, a database administrator)
cannot recompute a seal, so a changed, inserted or re-chained entry shows. What it cannot show is
anyone who has both the database and this key file: that is what checkpoints kept elsewhere are for
(pmsdesk.domain.audit).

Where it lives: ``<clinic id>.key`` in the folder ``audit-keys`` of the user's configuration folder
(``~/.config/pmsdesk/audit-keys`` on Linux; ``PMSDESK_AUDIT_KEY_DIR`` moves it), beside the
database rather than inside it; the folder is 0700, the file 0600. The clinic id is a random id
written in the database's ``setting`` table (as an audited insert, the first keyed entry) when the
database gets its key, at its first audited write: opening the app on a new database or ``pmsdesk
demo``. With a database server shared by several workstations each workstation needs a copy of
the file (copy it like a certificate), or ``PMSDESK_AUDIT_KEY_FILE`` names one file to use; a
workstation without it cannot write to that clinic (a write it could not seal would be a hole).

The file is JSON: the clinic id, the key, the first entry it sealed (``sealed_from``: entries
before it, from before keys existed, keep their SHA-256), that entry's seal (a checkpoint outside
the database), where the database was, and the clinic's witness file if one was chosen.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pmsdesk.domain.audit import Checkpoint
from pmsdesk.domain.refusals import Refusal

KEY_DIR_VARIABLE = "PMSDESK_AUDIT_KEY_DIR"
KEY_FILE_VARIABLE = "PMSDESK_AUDIT_KEY_FILE"
CLINIC_SETTING = "audit.clinic_id"  # the setting that names the clinic's key
KEY_BYTES = 32


class AuditKeyMissing(Refusal):
    """This workstation has no key for the clinic: it may read, never write an unsealed entry."""


@dataclass(frozen=True)
class AuditKey:
    clinic_id: str
    secret: bytes
    sealed_from: int  # the first entry sealed with this key
    first_seal: str  # that entry's seal
    database: str  # where the database was when the key was made
    path: Path
    witness: str | None = None  # a file the head is appended to after every commit

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.sealed_from, self.first_seal, f"the clinic's key file {self.path}")

    def as_json(self) -> str:
        return json.dumps({"clinic_id": self.clinic_id, "key": self.secret.hex(), "sealed_from": self.sealed_from,
                           "first_seal": self.first_seal, "database": self.database, "witness": self.witness},
                          indent=1)


@contextmanager
def keys_kept_in(folder: Path) -> Iterator[None]:
    """Within the block, clinics keep their keys in ``folder`` (a throwaway clinic, such as the
    self-test's, leaves nothing in the user's configuration)."""
    before = os.environ.get(KEY_DIR_VARIABLE)
    os.environ[KEY_DIR_VARIABLE] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(KEY_DIR_VARIABLE, None)
        else:
            os.environ[KEY_DIR_VARIABLE] = before


def key_folder() -> Path:
    chosen = os.environ.get(KEY_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    from platformdirs import user_config_path

    return user_config_path("pmsdesk", appauthor=False) / "audit-keys"


def key_path(clinic_id: str) -> Path:
    chosen = os.environ.get(KEY_FILE_VARIABLE)
    return Path(chosen) if chosen else key_folder() / f"{clinic_id}.key"


def _read(path: Path) -> AuditKey | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return AuditKey(data["clinic_id"], bytes.fromhex(data["key"]), int(data["sealed_from"]), data["first_seal"],
                        data["database"], path, data.get("witness"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load(clinic_id: str) -> AuditKey | None:
    """The key of ``clinic_id`` on this workstation, or None."""
    key = _read(key_path(clinic_id))
    return key if key is not None and key.clinic_id == clinic_id else None


def keys_made_for(database: str) -> list[AuditKey]:
    """Keys this workstation made for a database at ``database``: if that database no longer names
    one of them, its trail was replaced."""
    folder = key_folder()
    found = (_read(path) for path in sorted(folder.glob("*.key"))) if folder.is_dir() else ()
    return [key for key in found if key is not None and key.database == database]


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only (folder 0700, file 0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.parent == key_folder():
        os.chmod(path.parent, 0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(descriptor, text.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def new_key(database: str, sealed_from: int) -> AuditKey:
    """A fresh key for a new clinic id (not yet written: see :func:`save`)."""
    clinic_id = secrets.token_hex(16)
    return AuditKey(clinic_id, secrets.token_bytes(KEY_BYTES), sealed_from, "", database, key_path(clinic_id))


def save(key: AuditKey, *, new: bool = False) -> None:
    """Write the key file; a ``new`` key never replaces another clinic's (PMSDESK_AUDIT_KEY_FILE names one file)."""
    if new:
        existing = _read(key.path)
        if existing is not None and existing.clinic_id != key.clinic_id:
            raise AuditKeyMissing(
                f"{KEY_FILE_VARIABLE} names the audit key of another clinic ({existing.clinic_id}) and a new "
                f"database needs its own: unset {KEY_FILE_VARIABLE} (keys are then kept in {key_folder()})")
    _write_private(key.path, key.as_json())


def choose_witness(key: AuditKey, witness: Path) -> AuditKey:
    """Record ``witness`` in the key file: from now on the head is appended to it after every commit."""
    chosen = replace(key, witness=str(witness.expanduser().resolve()))
    save(chosen)
    return chosen


def missing(clinic_id: str) -> AuditKeyMissing:
    return AuditKeyMissing(
        f"this workstation has no audit key for this clinic (clinic id {clinic_id}): changes can be saved only "
        f"where its key is. Copy {clinic_id}.key from the audit-keys folder of the workstation that created the "
        f"clinic to {key_folder()} (readable by you only), or set {KEY_FILE_VARIABLE} to that file")
