#!/usr/bin/env bash
# Checks a built Debian package (scripts/build-deb.sh): exactly the expected files, a desktop
# entry that validates, a man page, and a binary that runs and names its model. No GUI needed.
#
#   scripts/check-deb.sh target/debian/dossier_*.deb
set -euo pipefail
deb=${1:?usage: check-deb.sh PACKAGE.deb}
expected='./usr/bin/dossier
./usr/share/applications/dossier.desktop
./usr/share/bash-completion/completions/dossier
./usr/share/doc/dossier/MODEL-LICENSE
./usr/share/doc/dossier/README.md
./usr/share/doc/dossier/THIRD-PARTY-LICENSES.txt
./usr/share/doc/dossier/copyright
./usr/share/fish/vendor_completions.d/dossier.fish
./usr/share/icons/hicolor/64x64/apps/dossier.png
./usr/share/man/man1/dossier.1.gz
./usr/share/zsh/vendor-completions/_dossier'
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort)
if [[ $files != "$expected" ]]; then
  echo "check-deb: unexpected file list:" >&2
  diff <(echo "$expected") <(echo "$files") >&2 || true
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
desktop-file-validate "$root/usr/share/applications/dossier.desktop"
zcat "$root/usr/share/man/man1/dossier.1.gz" | grep -q '^\.TH dossier 1'
version=$("$root/usr/bin/dossier" --version)
[[ $version == *"en_core_web_sm"*"MIT"* ]] || { echo "check-deb: --version says: $version" >&2; exit 1; }
"$root/usr/bin/dossier" --licenses | grep -q 'Copyright 2021 ExplosionAI GmbH'
dpkg-deb -f "$deb" Depends | grep -q libvulkan1
echo "check-deb: $(basename "$deb"): $(echo "$files" | wc -l) files, desktop entry valid, $version"
