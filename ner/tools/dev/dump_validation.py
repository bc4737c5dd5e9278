"""Dev: dump a large validation set (texts, spaCy tokens as byte spans, entities) to JSON."""
import glob, json, os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from make_fixtures import load_nlp, read, CORPORA
rng = random.Random(7)
docs = []
files = sorted(f for f in glob.glob(os.path.join(CORPORA, "enron", "**", "*"), recursive=True) if os.path.isfile(f))
rng.shuffle(files)
for p in files[:int(sys.argv[2]) if len(sys.argv) > 2 else 2000]:
    t = read(p)
    docs.append(("enron/" + p.split("enron/")[1], t[:20000]))
for p in sorted(glob.glob(os.path.join(CORPORA, "gutenberg", "*.txt"))):
    t = read(p)
    for i in range(0, min(len(t), 400000), 20000):
        docs.append((p, t[i:i + 20000]))
for p in sorted(glob.glob(os.path.join(CORPORA, "formats", "**", "*"), recursive=True)):
    if os.path.isfile(p) and p.rsplit(".", 1)[-1].lower() in ("txt", "md", "rst", "org", "csv", "tsv", "json", "xml", "html", "htm", "eml"):
        t = read(p)
        docs.append((p, t[:30000]))
nlp = load_nlp()
out = []
for (src, text), doc in zip(docs, nlp.pipe([d[1] for d in docs], batch_size=16)):
    b = text.encode("utf-8")
    c2b = [0] * (len(text) + 1)
    acc = 0
    for i, ch in enumerate(text):
        c2b[i] = acc
        acc += len(ch.encode("utf-8", "surrogatepass"))
    c2b[len(text)] = acc
    out.append({"source": src, "text": text,
                "tokens": [[c2b[t.idx], c2b[t.idx + len(t.text)]] for t in doc],
                "entities": [{"label": e.label_, "start": c2b[e.start_char], "end": c2b[e.end_char]} for e in doc.ents]})
json.dump({"documents": out}, open(sys.argv[1], "w"), ensure_ascii=False)
print(len(out), sum(len(d["tokens"]) for d in out))
