#!/usr/bin/env bash
# Indexes each file of a hostile corpus (scripts/hostile-corpus.py) on its own, then the whole
# folder, under an address-space limit, and prints one row per run: the outcome, documents, peak
# RSS and wall time. A row whose exit status is not 0 means Dossier was killed or failed.
#
#   scripts/hostile-table.sh DIR [DOSSIER_BINARY] [LIMIT]     # LIMIT for prlimit --as (default 2G)
#
# Needs prlimit (util-linux) and GNU time (Debian's `time`).
set -euo pipefail
dir=${1:?usage: hostile-table.sh DIR [BINARY] [LIMIT]}
bin=${2:-target/release/dossier}
limit=${3:-2G}
bytes=$(numfmt --from=iec "$limit")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # folder label
  local data="$work/data-$RANDOM$RANDOM"
  local t0 t1 status=0
  t0=$(date +%s.%N)
  DOSSIER_DATA_DIR=$data /usr/bin/time -f "%M" -o "$work/rss" prlimit --as="$bytes" "$bin" index "$1" \
    >"$work/out" 2>"$work/err" || status=$?
  t1=$(date +%s.%N)
  local rss docs outcome
  rss=$(( $(tail -n 1 "$work/rss" 2>/dev/null || echo 0) / 1024 ))
  docs=$(DOSSIER_DATA_DIR=$data "$bin" list "$1" 2>/dev/null | wc -l || true)
  outcome=$(DOSSIER_DATA_DIR=$data "$bin" report "$1" --json 2>/dev/null |
    python3 -c 'import json,sys
try: r=json.load(sys.stdin)
except Exception: print("no report"); sys.exit()
ps=r.get("problems",[])
print("; ".join(sorted({p["outcome"].lower()+": "+p["reason"] for p in ps})) or "indexed")' | cut -c1-90)
  printf '| %-20s | %9s | %5s | %6s MB | %7.1f s | %s | %s |\n' "$2" "$(du -h --apparent-size "$1" | cut -f1)" \
    "$docs" "$rss" "$(echo "$t1 - $t0" | bc)" "$status" "$outcome"
}

echo "| file | size | docs | peak RSS | wall | exit | outcome |"
echo "|---|---|---|---|---|---|---|"
for f in "$dir"/*; do
  one="$work/one"
  rm -rf "$one" && mkdir -p "$one"
  cp "$f" "$one/"
  run "$one" "$(basename "$f")"
done
run "$dir" "(whole folder)"
