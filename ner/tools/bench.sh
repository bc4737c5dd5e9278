#!/usr/bin/env bash
# Run the spaCy and Rust NER benchmarks back to back on the same documents
# (tests/fixtures/ner_parity.json, or FIXTURE: {"documents": [{"text": ...}, ...]}),
# single-threaded, and print the ratio.
# Usage: tools/bench.sh [FIXTURE]   (from the crate root; needs venv/ and assets/)
# tools/make_bench_texts.py writes a larger FIXTURE from ../shared/corpora.
set -euo pipefail
fixture="$(realpath "${1:-$(dirname "$0")/../tests/fixtures/ner_parity.json}")"
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/../target}"
cargo build --release -p dossier-ner --bin bench_ner >/dev/null
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  venv/bin/python tools/bench_spacy.py --repeat 3 --fixture "$fixture" | tee "$CARGO_TARGET_DIR/spacy_bench.json"
"$CARGO_TARGET_DIR/release/bench_ner" ../assets/ner/ner_model.bin "$fixture" --repeat 3 --spacy-json "$CARGO_TARGET_DIR/spacy_bench.json"
