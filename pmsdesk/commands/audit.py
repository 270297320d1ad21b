"""``pmsdesk audit verify``: check the audit trail (its seals, its links, every checkpoint found) and
the data against it; ``pmsdesk audit witness FILE``: choose the clinic's witness file.

Exit status of verify: 0 when everything was checked and holds; 1 when the trail or the data was
tampered with (the first problem is named); 3 when nothing wrong was found but the entries' seals
could not be checked, because this workstation does not have the clinic's key.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from collections import Counter
from pathlib import Path

from pmsdesk.commands import opened_database, sign_in_command

HELP = "check the audit trail and the data against it (exit 1 if tampered with); choose a witness file"
NOT_FULLY_CHECKED = 3


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("verify", "witness"),
                        help="verify: check the trail, every checkpoint found and the data; "
                             "witness FILE: append the chain's head to FILE after every save from now on")
    parser.add_argument("file", nargs="?", metavar="FILE", help="witness: the witness file")
    parser.add_argument("--checkpoint", action="append", default=[], metavar="N:HASH",
                        help="verify: a checkpoint printed on a report or written in an export's manifest "
                             "(entry number and at least 16 hex digits of its hash), or the report PDF, clinic "
                             "archive, FHIR bundle, CSV export (its .checkpoint file beside it), msprog folder or "
                             "backup file itself; may be repeated")
    parser.add_argument("--witness", action="append", default=[], metavar="FILE", type=Path,
                        help="verify: also check against this witness file (the clinic's own one is always checked)")


def _carried_by(path: Path) -> str:
    """The checkpoint a backup (its own head), a report PDF (its keywords), a clinic archive (its
    manifest), a FHIR bundle (its meta tag), or a CSV or msprog export (its checkpoint file, beside
    the CSV or in the folder; or that file itself, or an archive's manifest.json) was made at."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from pmsdesk.exchange.archive import MANIFEST_MEMBER
    from pmsdesk.exchange.export import CHECKPOINT_SUFFIX, checkpoint_file
    from pmsdesk.exchange.fhir import AUDIT_CHECKPOINT_SYSTEM
    from pmsdesk.store.checkpoints import backup_head

    if path.is_dir() or path.suffix.lower() == ".csv":
        path = checkpoint_file(path)
        if not path.is_file():
            return ""
    with path.open("rb") as opened:
        if opened.read(16) == b"SQLite format 3\x00":
            head = backup_head(path)
            return f"{head[1]}:{head[2]}" if head is not None else ""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return json.loads(archive.read(MANIFEST_MEMBER)).get("audit_checkpoint") or ""
        if path.suffix.lower() in (".json", CHECKPOINT_SUFFIX):
            carried = json.loads(path.read_text(encoding="utf-8"))
            if "audit_checkpoint" in carried:
                return carried["audit_checkpoint"] or ""
            tags = carried.get("meta", {}).get("tag", [])
            return next((tag["code"] for tag in tags if tag.get("system") == AUDIT_CHECKPOINT_SYSTEM), "")
        keywords = (PdfReader(path).metadata or {}).get("/Keywords") or ""
    except (KeyError, ValueError, TypeError, AttributeError, PdfReadError):
        keywords = ""
    return keywords.rpartition(" ")[2]


def _checkpoints(args: argparse.Namespace) -> list:
    from pmsdesk.cli import UsageError
    from pmsdesk.domain.audit import parse_checkpoint
    from pmsdesk.store.checkpoints import read_witness

    given = []
    for text in args.checkpoint:
        carried = _carried_by(Path(text)) if Path(text).exists() else text
        if not carried:
            raise UsageError(f"--checkpoint {text}: this carries no audit checkpoint (a report PDF, an export "
                             "with its checkpoint, a backup, or ENTRY:HASH)")
        try:
            given.append(parse_checkpoint(carried, f"--checkpoint {text}"))
        except ValueError as error:
            raise UsageError(str(error)) from None
    for path in args.witness:
        if not path.is_file():
            raise UsageError(f"the witness file {path} does not exist")
        given.extend(read_witness(path))
    return given


def _choose_witness(args: argparse.Namespace, database) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.store import audit, audit_key, checkpoints

    if not args.file:
        raise UsageError("say which file: pmsdesk audit witness FILE (a file on another disk or computer is best)")
    with database.engine.connect() as connection:
        named = audit.clinic_id(connection)
        key = audit_key.load(named) if named is not None else None
        if key is None:
            raise UsageError("this database has no audit key on this workstation yet: open it in pmsdesk, "
                             "or save something, first")
        head = connection.execute(audit.head_query()).one()
        place = audit.location_of(connection)
    key = audit_key.choose_witness(key, Path(args.file))
    checkpoints.witness(key, place, *head)
    print(f"Witness file {key.witness}: the audit trail's head is appended to it after every save "
          f"(now entry {head[0]})")
    return 0


def run(args: argparse.Namespace) -> int:
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.services.overview import rows_unlike_the_record
    from pmsdesk.store import audit

    given = _checkpoints(args) if args.action == "verify" else []
    with opened_database(args.database) as database:
        if args.action == "witness":
            sign_in_command(database, args)
            return _choose_witness(args, database)
        with database.engine.connect() as connection:
            chain = audit.verify(connection, given, live=True)
            data = audit.verify_data(connection) if chain.intact else None
        # Shown only to an administrator; checking writes nothing (it works where the key is not).
        actor = sign_in_command(database, args, recorded=False)
        with database.engine.connect() as connection:  # an accepted sign-in wrote nothing: read on
            signed_visits, trail_findings = audit.signature_findings(connection)
        signatures = _signature_lines(Clinic(database, actor=actor).signature_problems(), trail_findings)
        overview_unlike = rows_unlike_the_record(Clinic(database, actor=actor))
    print(chain.describe())
    if chain.checkpoints:
        sources = Counter(chain.checkpoints)
        print(f"Checkpoints held: {len(chain.checkpoints)}, from "
              + "; ".join(f"{source}{f' ({count})' if count > 1 else ''}" for source, count in sources.items()))
    else:
        print("Checkpoints held: none found (no backups, witness file or --checkpoint)")
    if data is not None:
        print(data.describe())
    # Checked whatever the chain says: a signature bound to its visit's content and to the sealed trail.
    if signatures:
        print(f"Signatures DO NOT HOLD on {len(signatures)} visit{'s' if len(signatures) > 1 else ''}:")
        print("\n".join(f"  {line}" for line in signatures))
    else:
        print(f"Signatures hold: {signed_visits} signed visit{'s' if signed_visits != 1 else ''} checked against "
              "their content and the audit trail")
    if overview_unlike:
        print(f"Clinic overview rows DO NOT MATCH the record for {len(overview_unlike)} patient"
              f"{'s' if len(overview_unlike) > 1 else ''} (patient ids {', '.join(map(str, overview_unlike[:20]))}"
              f"{', ...' if len(overview_unlike) > 20 else ''}): changed in the file behind pmsdesk")
    else:
        print("Clinic overview rows match the record")
    if data is None or not data.intact or signatures or overview_unlike:
        return 1
    return 0 if chain.complete else NOT_FULLY_CHECKED


def _signature_lines(content_problems, trail_findings: list[tuple[int, str]]) -> list[str]:
    """One line per visit whose signature does not hold: what its content digest and the trail say."""
    lines = {problem.visit_id: problem.describe() for problem in content_problems}
    for visit_id, finding in trail_findings:
        lines[visit_id] = (f"{lines[visit_id]}; and {finding}" if visit_id in lines
                           else f"visit {visit_id}: signature does not hold: {finding}")
    return [lines[visit_id] for visit_id in sorted(lines)]
