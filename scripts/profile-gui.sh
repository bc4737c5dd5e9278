#!/usr/bin/env bash
# Runs the release app under a private Xvfb display on FOLDER with DOSSIER_PROFILE=1 and prints
# its timing lines: time to first frame, then UI time per frame every 2 s (while indexing and after).
#   scripts/profile-gui.sh FOLDER [SECONDS]
# Needs Debian's xvfb and mesa-vulkan-drivers (lavapipe renders without a GPU).
set -euo pipefail
folder=${1:?usage: profile-gui.sh FOLDER [SECONDS]}
secs=${2:-20}
cd "$(dirname "$0")/.."
cargo build --release --quiet
data=$(mktemp -d)
display=:$((500 + RANDOM % 300))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$data"' EXIT
sleep 1
DISPLAY=$display DOSSIER_DATA_DIR=$data DOSSIER_PROFILE=1 timeout "$secs" target/release/dossier "$folder" 2>&1 | grep '^profile:' || true
