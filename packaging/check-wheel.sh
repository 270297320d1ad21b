#!/usr/bin/env bash
# Build pmsdesk's wheel with `python -m build`, check that it carries the resources and migrations,
# install it into a fresh virtual environment and run its self-test there (Qt offscreen).
#
#   packaging/check-wheel.sh [OUTPUT_FOLDER]      (default: dist/)
#
# The wheel stays in OUTPUT_FOLDER; the fresh environment is temporary. `build` itself runs from
# build/wheel-tools-venv (created on first use; PMSDESK_WHEEL_TOOLS_VENV chooses another).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TOOLS_VENV="${PMSDESK_WHEEL_TOOLS_VENV:-$ROOT/build/wheel-tools-venv}"
OUTPUT="$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)"

if [ ! -x "$TOOLS_VENV/bin/python" ]; then
    "$PYTHON" -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/python" -m pip install --quiet build
fi
rm -f "$OUTPUT"/pmsdesk-*.whl
"$TOOLS_VENV/bin/python" -m build --wheel --outdir "$OUTPUT" "$ROOT" >/dev/null
WHEEL="$(ls "$OUTPUT"/pmsdesk-*.whl)"
echo "Built $WHEEL ($(du -h "$WHEEL" | cut -f1))"

"$TOOLS_VENV/bin/python" - "$WHEEL" <<'PYTHON'
import sys
import zipfile

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
required = ["pmsdesk/resources/references/cohorts.json", "pmsdesk/resources/icons/pmsdesk.svg",
            "pmsdesk/resources/translations/pmsdesk_he.qm", "pmsdesk/resources/translations/pmsdesk_nb.qm",
            "pmsdesk/store/migrations/env.py", "pmsdesk/store/migrations/script.py.mako",
            "pmsdesk/store/migrations/versions/0001_initial_schema.py"]
missing = [name for name in required if name not in names]
if missing:
    sys.exit(f"the wheel lacks {', '.join(missing)}")
migrations = sorted(n for n in names if n.startswith("pmsdesk/store/migrations/versions/") and n.endswith(".py"))
print(f"The wheel holds pmsdesk/resources and {len(migrations)} migrations")
PYTHON

FRESH="$(mktemp -d "${TMPDIR:-/tmp}/pmsdesk-wheel-check-XXXXXX")"
trap 'rm -rf "$FRESH"' EXIT
"$PYTHON" -m venv "$FRESH/venv"
"$FRESH/venv/bin/python" -m pip install --quiet "$WHEEL"
echo "Installed into a fresh environment; its self-test:"
# From an empty folder: nothing may depend on the working directory.
cd "$FRESH" && QT_QPA_PLATFORM=offscreen "$FRESH/venv/bin/pmsdesk" --self-test
