#!/usr/bin/env python3
"""Writes assets/THIRD-PARTY-LICENSES.txt: every crate built into the `dossier` binary on Linux
(normal dependencies, followed transitively; dev and build-only dependencies left out), with its
version, licence expression and the text of its licence files from the local cargo registry, each
distinct text once. The app shows it under Help → About and `dossier --licenses` prints it.

    scripts/licenses.py        # after changing dependencies; tests/tidy.rs checks it is current

Needs cargo (offline is fine: the sources must already be fetched, as any build does).
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", "x86_64-unknown-linux-gnu"],
        cwd=ROOT))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    # Follow normal dependencies only, from the root.
    seen, todo = set(), [meta["resolve"]["root"]]
    while todo:
        node = nodes[todo.pop()]
        for dep in node["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
    crates = sorted((packages[i] for i in seen if packages[i]["source"]), key=lambda p: (p["name"], p["version"]))
    texts = {}  # licence text -> its number
    lines = [
        "Third-party software in Dossier",
        "",
        "Dossier (MIT OR Apache-2.0) is built from the crates below. Each names its licence; the texts",
        "of their licence files follow, each distinct text once, with the crates that ship it.",
        "The entity model's weights (spaCy en_core_web_sm 3.8.0, MIT, Explosion AI) have their notice",
        "in assets/ner/LICENSE, shown above this list in the app and by `dossier --licenses`.",
        "",
    ]
    shipped = {}
    for p in crates:
        folder = os.path.dirname(p["manifest_path"])
        files = sorted(f for f in os.listdir(folder)
                       if f.upper().startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")) and os.path.isfile(os.path.join(folder, f)))
        refs = []
        for f in files:
            with open(os.path.join(folder, f), encoding="utf-8", errors="replace") as fh:
                text = fh.read().strip()
            n = texts.setdefault(text, len(texts) + 1)
            refs.append(f"[{n}]")
            shipped.setdefault(n, []).append(f"{p['name']} {p['version']}")
        note = " ".join(refs) if refs else "(ships no licence file; the standard text of its licence applies)"
        lines.append(f"{p['name']} {p['version']}  {p.get('license') or 'see its files'}  {note}")
    lines.append("")
    for text, n in sorted(texts.items(), key=lambda t: t[1]):
        lines.append("=" * 78)
        lines.append(f"[{n}] shipped by: {', '.join(shipped[n])}")
        lines.append("=" * 78)
        lines.append(text)
        lines.append("")
    out = os.path.join(ROOT, "assets", "THIRD-PARTY-LICENSES.txt")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print(f"{out}: {len(crates)} crates, {len(texts)} distinct licence texts", file=sys.stderr)


if __name__ == "__main__":
    main()
