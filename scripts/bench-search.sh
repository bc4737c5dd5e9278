#!/usr/bin/env bash
# Search at 1k / 10k / 100k documents of real text, beside tantivy-cli and ripgrep, in one run.
#
#   scripts/bench-search.sh [SIZE...]        # default: 1000 10000 100000
#   BENCH_QUERIES=no scripts/bench-search.sh  # indexing only
#
# The documents are the Enron messages of ../shared/corpora/enron (or $DOSSIER_CORPORA/enron) as
# .eml files; past their number they are copied again, each copy with a line of its own
# ("(copy N)"), so that no two documents are the same text. For each size it prints:
#   - Dossier: `dossier index` wall time (text, entities and all), MB/s, peak RSS, index size
#     relative to the text, and reopening the unchanged folder (`dossier index` again); and,
#     from the run's own report, when the first documents were searchable (its first commit),
#     when all text was, and when all entities were found (both stages: see ARCHITECTURE.md);
#   - per query of a fixed mix (word, phrase, boolean, prefix, fuzzy, accent-folded, entity
#     filter, date range, regex): documents found, the first run, p50 and p99 of the search as
#     the app asks it (count + first hits with snippets) and with the entity counts under it
#     (`cargo bench --bench queries`);
#   - tantivy-cli 0.24 (installed with cargo into the scratch folder) on the same texts as JSON
#     lines: indexing time and `tantivy bench` p50/p99 (top 10 and count, no snippets) for the
#     queries its parser knows;
#   - ripgrep over the files (no index): wall time per query it can express.
# Ratios are within one run; the machine is shared and noisy. Scratch: $BENCH_SCRATCH or
# /tmp/dossier-bench (several GB at 100k).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
corpora=${DOSSIER_CORPORA:-$root/../shared/corpora}
scratch=${BENCH_SCRATCH:-/tmp/dossier-bench}
mkdir -p "$scratch"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rg || ! [ -x /usr/bin/time ] || ! need python3; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq ripgrep time python3 >/dev/null
    else
        echo "bench-search: needs ripgrep, time and python3: sudo apt-get install ripgrep time python3" >&2
        exit 2
    fi
fi
tantivy=$scratch/tantivy-cli/bin/tantivy
if ! [ -x "$tantivy" ]; then
    echo "installing tantivy-cli into $scratch/tantivy-cli (a few minutes)…" >&2
    cargo install tantivy-cli --version 0.24.0 --root "$scratch/tantivy-cli" >"$scratch/tantivy-install.log" 2>&1
fi
cargo build --release --quiet
cargo bench --bench queries --no-run --quiet 2>/dev/null
dossier=$root/target/release/dossier
echo "machine: $(nproc) cores, $(grep -o -w 'avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')" >&2

# SIZE documents from the corpus into DIR (.eml), and the same texts as JSON lines for tantivy.
make_folder() {
    python3 - "$corpora/enron" "$1" "$2" "$3" <<'PY'
import json, os, sys
src, n, dest, jsonl = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs)
with open(jsonl, "w") as out:
    for i in range(n):
        data = open(files[i % len(files)], "rb").read()
        copy = i // len(files)
        if copy:
            data += b"\n(copy %d)\n" % copy
        rel = "%02d/%03d/%06d.eml" % (copy, (i % len(files)) // 100, i)
        path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").write(data)
        out.write(json.dumps({"path": rel, "body": data.decode("utf-8", "replace")}) + "\n")
PY
}

# Runs a command, prints "SECONDS PEAK_RSS_KB".
timed() {
    /usr/bin/time -f "%e %M" -o "$scratch/time.txt" "$@" >"$scratch/stdout.txt" 2>"$scratch/stderr.txt" || {
        cat "$scratch/stderr.txt" >&2
        return 1
    }
    cat "$scratch/time.txt"
}

# p50 and p99 of the numbers on stdin.
percentiles() {
    sort -g | awk '{ v[NR] = $1 } END { i50 = int((NR - 1) * 0.5 + 0.5) + 1; i99 = int((NR - 1) * 0.99 + 0.5) + 1; printf "%.2f %.2f", v[i50], v[i99] }'
}

summary=$scratch/summary.txt
: >"$summary"
for n in "${sizes[@]}"; do
    folder=$scratch/enron-$n
    data=$scratch/data-$n
    jsonl=$scratch/enron-$n.jsonl
    rm -rf "$folder" "$data" "$scratch/tantivy-$n"
    make_folder "$n" "$folder" "$jsonl"
    text_bytes=$(find "$folder" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
    mb=$(awk -v b="$text_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')

    read -r secs rss < <(DOSSIER_DATA_DIR=$data timed "$dossier" index "$folder")
    # "text searchable after 2.10 s (the first documents after 0.31 s); entities found in …"
    stages=$(grep -m1 '^text searchable after' "$scratch/stdout.txt" || true)
    all_text=$(sed -n 's/^text searchable after \([0-9.]*\) s.*/\1/p' <<<"$stages")
    first=$(sed -n 's/.*(the first documents after \([0-9.]*\) s).*/\1/p' <<<"$stages")
    index_bytes=$(du -sb "$data/indexes" | cut -f1)
    read -r reopen _ < <(DOSSIER_DATA_DIR=$data timed "$dossier" index "$folder")

    mkdir -p "$scratch/tantivy-$n"
    cat >"$scratch/tantivy-$n/meta.json" <<'JSON'
{"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":[
{"name":"path","type":"text","options":{"indexing":{"record":"basic","fieldnorms":false,"tokenizer":"raw"},"stored":true,"fast":false}},
{"name":"body","type":"text","options":{"indexing":{"record":"position","fieldnorms":true,"tokenizer":"default"},"stored":true,"fast":false}}
],"opstamp":0}
JSON
    read -r t_secs t_rss < <(timed sh -c "'$tantivy' index -i '$scratch/tantivy-$n' < '$jsonl'")
    t_bytes=$(du -sb "$scratch/tantivy-$n" | cut -f1)

    echo
    echo "## $n documents ($mb MB of text)"
    echo
    echo "| | Dossier | tantivy-cli | ratio |"
    echo "|---|---|---|---|"
    awk -v s="$secs" -v t="$t_secs" -v mb="$mb" 'BEGIN { printf "| index (wall) | %.1f s, %.1f MB/s, text and entities | %.1f s, %.1f MB/s, text only | %.1f× |\n", s, mb / s, t, mb / t, s / t }'
    awk -v r="$rss" -v t="$t_rss" 'BEGIN { printf "| peak RSS | %.0f MB | %.0f MB | |\n", r / 1024, t / 1024 }'
    awk -v i="$index_bytes" -v t="$t_bytes" -v b="$text_bytes" 'BEGIN { printf "| index size / text | %.2f× | %.2f× | |\n", i / b, t / b }'
    awk -v r="$reopen" 'BEGIN { printf "| reopen unchanged (dossier index again) | %.2f s | | |\n", r }'
    awk -v f="${first:-$all_text}" 'BEGIN { printf "| first documents searchable (the run'"'"'s first commit) | %.2f s | | |\n", f }'
    awk -v a="$all_text" -v t="$t_secs" 'BEGIN { printf "| all text searchable | %.2f s | %.1f s (all of it) | %.2f× |\n", a, t, a / t }'
    awk -v s="$secs" 'BEGIN { printf "| all entities found (process wall time) | %.1f s | | |\n", s }'
    [ "${BENCH_QUERIES:-yes}" = no ] && continue

    # Dossier's queries, in process.
    DOSSIER_BENCH_FOLDER=$folder DOSSIER_DATA_DIR=$data cargo bench --bench queries --quiet 2>/dev/null >"$scratch/dossier-$n.tsv"
    # tantivy-cli's, for the kinds its parser reads the same way.
    printf '%s\n' energy '"natural gas"' '(power OR gas) -california' >"$scratch/queries.txt"
    "$tantivy" bench -i "$scratch/tantivy-$n" -q "$scratch/queries.txt" -n 20 2>/dev/null |
        awk '/^SEARCH/ { on = 1; next } /^FETCH/ { on = 0 } on && NF >= 3 && $NF ~ /^[0-9]+$/ { print }' >"$scratch/tantivy-$n.tsv"

    echo
    echo "| query | kind | found | Dossier first / p50 / p99 ms | + entity counts p50 / p99 | tantivy-cli p50 / p99 ms | ripgrep ms |"
    echo "|---|---|---|---|---|---|---|"
    tail -n +2 "$scratch/dossier-$n.tsv" | while IFS=$'\t' read -r kind query found cold p50 p99 c50 c99; do
        tv=""
        if grep -qF -- "$query	" "$scratch/tantivy-$n.tsv"; then
            tv=$(grep -F -- "$query	" "$scratch/tantivy-$n.tsv" | awk -F'\t' '{ print $NF / 1000 }' | percentiles)
            tv="${tv/ / / }"
        fi
        case "$kind" in
            word) rgq=(-l -i -w energy) ;;
            phrase) rgq=(-l -i -F "natural gas") ;;
            prefix) rgq=(-l -i -w 'bankrupt\w*') ;;
            accent-folded) rgq=(-l -i -w 'r[eé]sum[eé]') ;;
            regex) rgq=(-l 'Skil+ing') ;;
            *) rgq=() ;;
        esac
        rgms=""
        if [ ${#rgq[@]} -gt 0 ]; then
            rgms=$(for _ in 1 2 3; do
                start=$(date +%s%N)
                rg "${rgq[@]}" "$folder" >/dev/null || true
                echo $((($(date +%s%N) - start) / 1000000))
            done | percentiles | cut -d' ' -f1)
        fi
        echo "| \`$query\` | $kind | $found | $cold / $p50 / $p99 | $c50 / $c99 | ${tv:-n/a} | ${rgms:-n/a} |"
    done
    awk -F'\t' -v n="$n" 'NR == 1 { print n, "open", $4 }' "$scratch/dossier-$n.tsv" >>"$summary"
    tail -n +2 "$scratch/dossier-$n.tsv" | awk -F'\t' -v n="$n" '{ print n, $1, $6 }' >>"$summary"
    echo
    echo "Open the index and answer a first query: $(head -1 "$scratch/dossier-$n.tsv" | cut -f4) ms."
done

if [ ${#sizes[@]} -gt 1 ] && [ -s "$summary" ]; then
    echo
    echo "## How Dossier's p99 grows (ms, search as the app asks it)"
    echo
    python3 - "$summary" <<'PY'
import collections, sys
rows = collections.defaultdict(dict)
sizes = []
for line in open(sys.argv[1]):
    n, *kind, value = line.split()
    kind = " ".join(kind)
    if n not in sizes:
        sizes.append(n)
    rows[kind][n] = value
print("| query kind | " + " | ".join(sizes) + " |")
print("|---|" + "---|" * len(sizes))
for kind, by_size in rows.items():
    print("| " + kind + " | " + " | ".join(by_size.get(n, "") for n in sizes) + " |")
PY
fi
