#!/usr/bin/env bash
# Builds the Debian package: the binary, the desktop entry and icon, a man page and shell
# completions generated from the clap definitions, and the licences (cargo-deb metadata in
# Cargo.toml). Prints the .deb's path.
#
#   scripts/build-deb.sh           # release build (what users install)
#   scripts/build-deb.sh --dev     # the debug build CI already has (to check the package's contents)
#
# Needs cargo-deb: cargo install cargo-deb --locked
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
[[ ${1:-} == --dev ]] && profile=dev
dir=$([[ $profile == dev ]] && echo debug || echo release)
cargo build --locked --profile "$profile" --bin dossier
# Generated files go where Cargo.toml's asset list says, in this tree's target/ (cargo-deb
# itself finds the binary wherever CARGO_TARGET_DIR puts it).
"${CARGO_TARGET_DIR:-target}/$dir/dossier" packaging-files target/deb-assets
mkdir -p target/debian
# cargo-deb prints the package's path.
cargo deb --no-build --profile "$profile" --output target/debian/
