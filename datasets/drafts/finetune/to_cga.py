"""state_<name>.pt (LoRA run) -> the engine's tuning file (CGA1; embed/src/lib.rs parse_tuning)."""
import sys, struct, numpy as np, torch
name, out = sys.argv[1], sys.argv[2]
st = torch.load(f"/tmp/s44/ft/state_{name}.pt")
lora = st["lora"]; R = lora[0].shape[1]
ad = np.concatenate([t.numpy().astype("<f2").ravel() for t in lora])
vecs = []
for n, p in st["enc"].items():
    parts = n.split(".")
    if n in ("eln.weight", "eln.bias"):
        vecs.append(("emb.ln." + parts[1][0], p))
    elif parts[0] == "layers" and parts[3] in ("bias", "weight") and (parts[3] == "bias" or parts[2] in ("aln", "oln")):
        vecs.append((f"l{parts[1]}.{parts[2]}.{parts[3][0]}", p))
b = bytearray(b"CGA1") + struct.pack("<II", R, ad.size) + ad.tobytes() + struct.pack("<I", len(vecs))
for n, p in vecs:
    a = p.numpy().astype("<f4").ravel(); nb = n.encode()
    b += struct.pack("<B", len(nb)) + nb + struct.pack("<I", a.size) + a.tobytes()
open(out, "wb").write(bytes(b)); print(out, R, ad.size, len(vecs), len(b))
