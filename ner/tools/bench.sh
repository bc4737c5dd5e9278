#!/usr/bin/env bash
# Run the spaCy and Rust NER benchmarks back to back on the same documents
# (tests/fixtures/ner_parity.json), single-threaded, and print the ratio.
# Usage: tools/bench.sh   (from the crate root; needs venv/ and assets/)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/../target}"
cargo build --release -p dossier-ner --bin bench_ner >/dev/null
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  venv/bin/python tools/bench_spacy.py --repeat 3 | tee "$CARGO_TARGET_DIR/spacy_bench.json"
"$CARGO_TARGET_DIR/release/bench_ner" --repeat 3 --spacy-json "$CARGO_TARGET_DIR/spacy_bench.json"
