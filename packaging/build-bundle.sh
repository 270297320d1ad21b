#!/usr/bin/env bash
# Build the one-folder bundle dist/pmsdesk/ with PyInstaller, then run the bundle's self-test.
#
#   packaging/build-bundle.sh
#
# Works in its own virtual environment (build/bundle-venv, created on first use; PMSDESK_BUILD_VENV
# chooses another) with pmsdesk installed from this checkout as a wheel would install it, plus
# PyInstaller. Needs Python 3.11+ with venv and network access to PyPI, nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
BUILD_VENV="${PMSDESK_BUILD_VENV:-$ROOT/build/bundle-venv}"
BUNDLE="$ROOT/dist/pmsdesk"
cd "$ROOT"

if [ ! -x "$BUILD_VENV/bin/python" ]; then
    echo "Creating the build environment in $BUILD_VENV ..." >&2
    "$PYTHON" -m venv "$BUILD_VENV"
    "$BUILD_VENV/bin/python" -m pip install --quiet --upgrade pip
fi
mkdir -p build
echo "Installing pmsdesk and PyInstaller into $BUILD_VENV ..." >&2
"$BUILD_VENV/bin/python" -m pip install --quiet "$ROOT[postgresql]" "pyinstaller>=6.10,<7"
# The same version number is not rebuilt by pip: install this checkout's files every time.
"$BUILD_VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$ROOT"

"$BUILD_VENV/bin/python" packaging/render_icons.py build/icons >/dev/null
# From inside build/, so that Python finds the installed pmsdesk and not this checkout's.
(cd build && "$BUILD_VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN \
    --workpath pyinstaller --distpath "$ROOT/dist" "$ROOT/packaging/pmsdesk.spec")

# Linux desktop integration, shipped inside the bundle: the desktop entry, its icons and the script
# that registers them for the current user.
mkdir -p "$BUNDLE/share/applications" "$BUNDLE/share/icons"
cp packaging/pmsdesk.desktop "$BUNDLE/share/applications/"
cp -r build/icons/hicolor "$BUNDLE/share/icons/"
cp packaging/install-desktop-entry.sh "$BUNDLE/"

missing=0
for required in PySide6/Qt/plugins/platforms/libqoffscreen.so PySide6/Qt/plugins/platforms/libqxcb.so \
        PySide6/Qt/plugins/imageformats/libqsvg.so pmsdesk/resources/references/cohorts.json \
        pmsdesk/resources/icons/pmsdesk.svg pmsdesk/resources/translations/pmsdesk_he.qm \
        PySide6/Qt/translations/qtbase_he.qm pmsdesk/store/migrations/env.py pmsdesk/store/migrations/script.py.mako \
        pmsdesk/store/migrations/versions/0001_initial_schema.py psycopg_binary; do
    if [ ! -e "$BUNDLE/_internal/$required" ]; then
        echo "The bundle lacks _internal/$required" >&2
        missing=1
    fi
done
[ "$missing" = 0 ] || exit 1

echo "Built $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)); running its self-test:" >&2
QT_QPA_PLATFORM=offscreen "$BUNDLE/pmsdesk" --self-test
