# Sourced by scripts/run-app and scripts/run-tests: create or refresh the project's virtual
# environment (.venv) when pyproject.toml changed since it was last installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PMSDESK_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

ensure_env() {  # ensure_env EXTRAS   (e.g. "" or "[test]")
    local extras="$1"
    local stamp="$VENV/.pmsdesk-installed$extras"
    local wanted
    wanted="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "pmsdesk needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
        exit 1
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating the Python environment in $VENV ..." >&2
        "$PYTHON" -m venv "$VENV" || {
            echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
            exit 1
        }
    fi
    echo "Installing pmsdesk$extras and its dependencies into $VENV ..." >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --editable "$ROOT$extras"
    echo "$wanted" > "$stamp"
}
