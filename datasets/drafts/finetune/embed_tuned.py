"""Vectors of every training-split text under a tuned encoder (state_<name>.pt, LoRA or full), as the engine
would give them: mean-pooled, unit length, up to 512 tokens."""
import sys, os, time, numpy as np, torch, torch.nn.functional as F
from model import E5, tokenize, batch, training_cases
torch.set_num_threads(int(os.environ.get("NT", "2")))
name = sys.argv[1]
ids, texts = training_cases()
enc = E5()
st = torch.load(f"/tmp/s44/ft/state_{name}.pt")
missing = enc.load_state_dict(st["enc"], strict=False)
assert missing.missing_keys == ["word.weight"], missing
if st.get("lora") is not None:
    lora = st["lora"]; k = 0
    for L in enc.layers:
        for nm in ["q", "k", "v", "ao", "fi", "fo"]:
            lin = getattr(L, nm); A, B = lora[k], lora[k + 1]; k += 2
            lin.forward = (lambda lin, A, B: lambda x: F.linear(x, lin.weight, lin.bias) + (x @ A) @ B)(lin, A, B)
enc.eval()
toks = [tokenize(t, 512) for t in texts]
order = np.argsort([len(t) for t in toks]); V = np.zeros((len(toks), 384), np.float32); t0 = time.time()
with torch.no_grad():
    for k in range(0, len(order), 32):
        b = order[k:k + 32]
        V[b] = F.normalize(enc(*batch([toks[j] for j in b])), dim=1).numpy()
np.save(f"/tmp/s44/ft/vec_{name}.npy", V); print(f"{time.time()-t0:.0f}s")
