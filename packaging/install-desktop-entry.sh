#!/usr/bin/env bash
# Add pmsdesk to the current user's application menu (Linux). Run it from the unpacked bundle folder,
# wherever it was put (e.g. /opt/pmsdesk or ~/Applications/pmsdesk):
#
#   /opt/pmsdesk/install-desktop-entry.sh
#
# It writes ~/.local/share/applications/pmsdesk.desktop (starting this folder's pmsdesk) and the icon
# in every size to ~/.local/share/icons/hicolor. Running it again after moving the folder updates it.
set -euo pipefail
BUNDLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"

mkdir -p "$DATA_HOME/applications" "$DATA_HOME/icons"
cp -r "$BUNDLE/share/icons/hicolor" "$DATA_HOME/icons/"
sed "s|^Exec=pmsdesk|Exec=\"$BUNDLE/pmsdesk\"|" "$BUNDLE/share/applications/pmsdesk.desktop" \
    > "$DATA_HOME/applications/pmsdesk.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA_HOME/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA_HOME/icons/hicolor" || true
echo "pmsdesk added to the application menu: $DATA_HOME/applications/pmsdesk.desktop"
