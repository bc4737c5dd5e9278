#!/usr/bin/env python3
"""Builds table- and list-shaped annotated text for `dossier eval-ner`, so that rules of the entity
recogniser can be measured on more than prose.

Annotated news holds results tables, standings and lists as well as prose, and a rule tuned on
prose can hurt there. This script takes the annotated names of a CoNLL file (wikigold, say) and
lays them out the way such text looks once Dossier has read it: sports results with an upper-case
headline and a dateline, league standings, contact lists as comma-separated rows, and one name a
line with a figure after it. The gold labels come with the names, so the output is annotated by
construction (CoNLL, IOB2, one document per table).

    scripts/ner-shapes.py ../shared/data/ner/wikigold/wikigold.conll.txt tune   > /tmp/tables-tune.conll
    scripts/ner-shapes.py ../shared/data/ner/wikigold/wikigold.conll.txt report > /tmp/tables-report.conll
    scripts/ner-shapes.py ../shared/data/ner/wikigold/wikigold.conll.txt report --prose > /tmp/prose-report.conll
    scripts/ner-shapes.py ../shared/data/ner/wikigold/wikigold.conll.txt report --mail > /tmp/mail-report.conll

    scripts/ner-shapes.py --plain ../shared/corpora/gutenberg/2600-0.txt > /tmp/wp.conll
    dossier eval-ner /tmp/wp.conll --map ontonotes --errors | grep '^+ PERSON'   # every PERSON mention

`tune` uses the names of the first half of the documents, `report` those of the second half, so
numbers reported on `report` come from names never looked at while tuning. `--prose` writes the
half's documents unchanged instead, and `--mail` replies quoting header blocks ("From : name",
"Sent : date", "To : names", some surname first). `--plain FILE` turns any text into one unannotated document
(a line a sentence), so that `--errors` lists everything the recogniser finds in it. The output is the same on every run (fixed seed).
"""
import random
import sys


def read_docs(path):
    docs, doc, sent = [], [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-"):
            if sent:
                doc.append(sent)
                sent = []
            if doc:
                docs.append(doc)
            doc = []
            continue
        if not line.strip():
            if sent:
                doc.append(sent)
                sent = []
            continue
        parts = line.split()
        sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def entities(docs):
    """Every annotated name (as its tokens) by type, in order of appearance, without repeats."""
    out = {"PER": [], "ORG": [], "LOC": [], "MISC": []}
    seen = set()
    for doc in docs:
        for sent in doc:
            current, prev_type = None, None
            for token, tag in sent + [("", "O")]:
                prefix, _, ty = tag.partition("-")
                starts = ty and (prefix == "B" or ty != prev_type)
                if (not ty or starts) and current:
                    key = (current[0], tuple(current[1]))
                    if key not in seen and current[0] in out:
                        seen.add(key)
                        out[current[0]].append(current[1])
                    current = None
                if starts:
                    current = (ty, [token])
                elif ty and current:
                    current[1].append(token)
                prev_type = ty or None
    return out


def tagged(tokens, ty):
    return [(t, ("B-" if i == 0 else "I-") + ty) for i, t in enumerate(tokens)]


def plain(text):
    return [(t, "O") for t in text.split()]


def results_table(rng, names):
    lines = [plain(rng.choice(["GOLF - LEADING SCORES .", "ATHLETICS - RESULTS .", "TENNIS - RESULTS ."]))]
    lines.append(tagged(rng.choice(names["LOC"]), "LOC") + plain("1996-08-30"))
    lines.append(plain("Leading scores after the first round :"))
    for i in range(rng.randint(6, 14)):
        row = plain(f"{i + 1}.") + tagged(rng.choice(names["PER"]), "PER")
        row += plain("(") + tagged(rng.choice(names["LOC"]), "LOC") + plain(")")
        row += plain(" ".join(str(rng.randint(64, 75)) for _ in range(rng.randint(1, 3))))
        lines.append(row)
    return lines


def standings(rng, names):
    lines = [plain("SOCCER - STANDINGS ."), plain("Standings after games played on Sunday :")]
    lines.append(plain("( tabulate under played , won , drawn , lost , goals for , against , points )"))
    for _ in range(rng.randint(6, 12)):
        figures = " ".join(str(rng.randint(0, 30)) for _ in range(7))
        lines.append(tagged(rng.choice(names["ORG"]), "ORG") + plain(figures))
    return lines


def contact_rows(rng, names):
    lines = [plain("Name , Organisation , City")]
    for _ in range(rng.randint(6, 14)):
        row = tagged(rng.choice(names["PER"]), "PER") + plain(",")
        row += tagged(rng.choice(names["ORG"]), "ORG") + plain(",") + tagged(rng.choice(names["LOC"]), "LOC")
        lines.append(row)
    return lines


def name_per_line(rng, names):
    lines = [plain(rng.choice(["Final times :", "Donations received :", "Votes :"]))]
    for _ in range(rng.randint(6, 14)):
        figure = rng.choice([f"{rng.randint(1, 9)}:{rng.randint(10, 59)}.{rng.randint(10, 99)}",
                             f"${rng.randint(1, 900)},000", str(rng.randint(100, 99999))])
        lines.append(tagged(rng.choice(names["PER"]), "PER") + plain(figure))
    return lines


def header_person(rng, names):
    """A person as a mail header lists them: as written, or a two-word name surname first
    ("Janszoon , Willem"), the whole of it the person."""
    name = rng.choice(names["PER"])
    if len(name) == 2 and rng.random() < 0.5:
        name = [name[1], ",", name[0]]
    return tagged(name, "PER")


def mail_headers(rng, names):
    """A reply quoting the messages before it, as mail looks once read: header blocks of
    "Label : value" lines (the labels are no names), a greeting and a signature."""
    lines = [plain("Thanks , see below .")]
    for _ in range(rng.randint(2, 4)):
        lines.append(plain("-----Original Message-----"))
        lines.append(plain("From :") + header_person(rng, names))
        day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
        lines.append(plain(f"Sent : {day} , November {rng.randint(1, 28)} , 2001 {rng.randint(1, 12)}:{rng.randint(10, 59)} PM"))
        to = header_person(rng, names)
        for _ in range(rng.randint(0, 2)):
            to += plain(";") + header_person(rng, names)
        lines.append(plain("To :") + to)
        if rng.random() < 0.5:
            lines.append(plain("Cc :") + header_person(rng, names))
        lines.append(plain("Subject : RE :") + tagged(rng.choice(names["ORG"]), "ORG") + plain("meeting"))
        lines.append(plain("Please call me about the") + tagged(rng.choice(names["ORG"]), "ORG") + plain("numbers ."))
        lines.append(tagged(rng.choice(names["PER"])[:1], "PER"))
    return lines


def write(doc, out):
    out.write("-DOCSTART- O\n\n")
    for sent in doc:
        for token, tag in sent:
            out.write(f"{token} {tag}\n")
        out.write("\n")


def unannotated(path):
    sys.stdout.write("-DOCSTART- O\n\n")
    for line in open(path, encoding="utf-8-sig"):
        tokens = line.split()
        if tokens:
            sys.stdout.write("".join(f"{t} O\n" for t in tokens) + "\n")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--plain":
        return unannotated(sys.argv[2])
    if len(sys.argv) < 3 or sys.argv[2] not in ("tune", "report"):
        sys.exit(__doc__)
    docs = read_docs(sys.argv[1])
    half = len(docs) // 2
    docs = docs[:half] if sys.argv[2] == "tune" else docs[half:]
    if "--prose" in sys.argv:
        for doc in docs:
            write(doc, sys.stdout)
        return
    names = entities(docs)
    rng = random.Random(20261129 if sys.argv[2] == "tune" else 1129)
    shapes = [results_table, standings, contact_rows, name_per_line]
    if "--mail" in sys.argv:
        shapes = [mail_headers]
    for i in range(60):
        write(shapes[i % len(shapes)](rng, names), sys.stdout)


if __name__ == "__main__":
    main()
