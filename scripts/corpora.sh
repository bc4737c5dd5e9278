#!/usr/bin/env bash
# Indexes real corpora one format at a time with the release CLI and prints a table: files,
# documents, failures, MB, seconds, MB/s, files/s and peak RSS per format, then the same for
# each corpus whole. Each run starts from an empty index (a private DOSSIER_DATA_DIR).
#   scripts/corpora.sh [CORPORA_DIR]      (default ../shared/corpora)
# Needs /usr/bin/time (Debian's `time` package) and a release build (`cargo build --release`).
set -euo pipefail
root=${1:-../shared/corpora}
bin=${DOSSIER_BIN:-target/release/dossier}
[[ -x $bin ]] || { echo "build first: cargo build --release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run LABEL FOLDER: one row of the table.
run() {
  local label=$1 folder=$2 data="$work/data-$RANDOM" out
  local files bytes
  files=$(find "$folder" -type f | wc -l)
  bytes=$(find "$folder" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  out=$(DOSSIER_DATA_DIR=$data /usr/bin/time -f 'TIME %e %M' "$bin" index "$folder" 2>&1 >"$work/stdout") || true
  local secs rss docs failed skipped truncated
  secs=$(awk '/^TIME/ {print $2}' <<<"$out")
  rss=$(awk '/^TIME/ {printf "%.0f", $3/1024}' <<<"$out")
  docs=$(grep -oE '^[0-9]+ documents?' "$work/stdout" | grep -oE '^[0-9]+' || echo 0)
  failed=$(grep -oE '[0-9]+ could not be read' "$work/stdout" | grep -oE '^[0-9]+' || echo 0)
  skipped=$(grep -oE '[0-9]+ skipped' "$work/stdout" | grep -oE '^[0-9]+' || echo 0)
  truncated=$(grep -oE '[0-9]+ truncated' "$work/stdout" | grep -oE '^[0-9]+' || echo 0)
  awk -v l="$label" -v f="$files" -v d="$docs" -v fa="$failed" -v sk="$skipped" -v tr="$truncated" \
      -v b="$bytes" -v s="$secs" -v r="$rss" 'BEGIN {
    mb = b / 1048576; t = (s > 0 ? s : 0.01)
    printf "| %-14s | %6d | %6d | %5d | %5d | %5d | %7.1f | %7.2f | %7.2f | %8.0f | %6d |\n", l, f, d, fa, sk, tr, mb, s, mb / t, f / t, r }'
  sed -n "/^ /p" "$work/stdout" | sed "s|^|    $label: |" >>"$work/reasons"
}

echo "| format         |  files |   docs | fail. | skip. | trunc |      MB |       s |    MB/s |  files/s | RSS MB |"
echo "|----------------|--------|--------|-------|-------|-------|---------|---------|---------|----------|--------|"
# One folder per extension found under the corpora (hard links where possible, else copies).
while read -r ext; do
  dir="$work/by-ext/$ext"
  mkdir -p "$dir"
  find "$root" -type f -iname "*.$ext" -print0 | while IFS= read -r -d '' f; do
    name=$(printf '%s' "${f#"$root"/}" | tr '/' '_')
    ln "$f" "$dir/$name" 2>/dev/null || cp "$f" "$dir/$name"
  done
  run ".$ext" "$dir"
done < <(find "$root" -type f -name '*.*' | sed 's/.*\.//' | tr 'A-Z' 'a-z' | sort | uniq -c | sort -rn | awk '$1 >= 1 {print $2}')
for corpus in "$root"/*/; do
  run "$(basename "$corpus")/" "$corpus"
done
echo
echo "Reasons (per run):"
cat "$work/reasons"
