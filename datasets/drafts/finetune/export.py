"""A tuned encoder's adapter, compact: LoRA matrices (half precision), tuned biases and layer norms and the
head (f32), one binary file and a JSON manifest of (name, dtype, shape, offset)."""
import sys, json, hashlib, numpy as np, torch
name, out = sys.argv[1], sys.argv[2]
st = torch.load(f"/tmp/s44/ft/state_{name}.pt")
parts = []
NAMES = ["q", "k", "v", "ao", "fi", "fo"]
lora = st["lora"]
for l in range(12):
    for j, nm in enumerate(NAMES):
        A, B = lora[2 * (6 * l + j)], lora[2 * (6 * l + j) + 1]
        parts.append((f"l{l}.{nm}.lora_a", A.numpy().astype(np.float16)))
        parts.append((f"l{l}.{nm}.lora_b", B.numpy().astype(np.float16)))
for n, p in st["enc"].items():
    if n.endswith("bias") or "ln" in n:
        parts.append((n, p.numpy().astype(np.float32)))
for n, p in st["head"].items():
    parts.append((f"head.{n}", p.numpy().astype(np.float32)))
blob = bytearray(); manifest = []
for n, a in parts:
    manifest.append(dict(name=n, dtype=str(a.dtype), shape=list(a.shape), offset=len(blob)))
    blob += a.tobytes()
open(out + ".bin", "wb").write(bytes(blob))
json.dump(dict(source=f"state_{name}.pt", sha256=hashlib.sha256(bytes(blob)).hexdigest(), tensors=manifest), open(out + ".json", "w"), indent=0)
print(out, len(blob), "bytes")
