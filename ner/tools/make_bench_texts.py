#!/usr/bin/env python3
"""Write a benchmark fixture of about a million tokens from ../shared/corpora, larger and more
varied than the parity fixture: every 4th Enron message (whole, headers included, as the app
reads them) and the Gutenberg books cut into 20,000-character chunks, about half of each in
characters. Deterministic (sorted paths).

Usage: python3 tools/make_bench_texts.py [CORPORA] [OUT]
       (defaults: ../../shared/corpora from the crate root, /tmp/ner_bench_texts.json)
Then:  tools/bench.sh /tmp/ner_bench_texts.json
"""
import json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpora = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "..", "shared", "corpora")
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/ner_bench_texts.json"
HALF = 2_700_000  # characters from each collection

def files(d):
    for base, dirs, names in os.walk(d):
        dirs.sort()
        for n in sorted(names):
            yield os.path.join(base, n)

docs, size = [], 0
for i, p in enumerate(sorted(files(os.path.join(corpora, "enron")))):
    if i % 4 or size >= HALF:
        continue
    text = open(p, encoding="utf-8", errors="replace").read()
    docs.append({"name": os.path.relpath(p, corpora), "text": text})
    size += len(text)
size = 0
books = sorted(files(os.path.join(corpora, "gutenberg")))
chunks = []
for p in books:
    text = open(p, encoding="utf-8-sig", errors="replace").read()
    chunks.append([(f"{os.path.relpath(p, corpora)}#{k}", text[k:k + 20_000]) for k in range(0, len(text), 20_000)])
# round-robin over the books so every book is in the sample
k = 0
while size < HALF and any(k < len(c) for c in chunks):
    for c in chunks:
        if k < len(c) and size < HALF:
            docs.append({"name": c[k][0], "text": c[k][1]})
            size += len(c[k][1])
    k += 1
json.dump({"documents": docs}, open(out, "w"))
print(f"{out}: {len(docs)} documents, {sum(len(d['text']) for d in docs):,} characters")
