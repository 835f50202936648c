import subprocess, numpy as np, torch, torch.nn.functional as F
from model import E5, tokenize, batch, training_cases
torch.set_num_threads(1)
ids, texts = training_cases()
sel = [i for i in range(0, 2747, 131) if "\n" not in texts[i] and len(texts[i]) < 2000][:15]
open("/tmp/s44/ft/cmp_texts.txt", "w").write("\n".join(texts[i] for i in sel) + "\n")
enc = E5(); base = E5()
st = torch.load("/tmp/s44/ft/state_pooled0_lora_tr.pt")
enc.load_state_dict(st["enc"], strict=False)
lora = st["lora"]; k = 0
for L in enc.layers:
    for nm in ["q", "k", "v", "ao", "fi", "fo"]:
        lin = getattr(L, nm); A, B = lora[k], lora[k + 1]; k += 2
        lin.forward = (lambda lin, A, B: lambda x: F.linear(x, lin.weight, lin.bias) + (x @ A) @ B)(lin, A, B)
toks = [tokenize(texts[i], 512) for i in sel]
with torch.no_grad():
    Vt = F.normalize(enc(*batch(toks)), dim=1).numpy(); Vb = F.normalize(base(*batch(toks)), dim=1).numpy()
def rust(*extra):
    out = subprocess.run(["/work/main/target/debug/examples/embed_lines", "/tmp/s44/ft/cmp_texts.txt", *extra], capture_output=True, text=True, check=True).stdout
    return np.array([[float(x) for x in l.split()] for l in out.strip().split("\n")])
Rt = rust("/tmp/s44/ft/pooled0_lora_tr.cga"); Rb = rust()
print("tuned  rust vs torch-tuned:", np.round((Rt * Vt).sum(1), 4))
print("base   rust vs torch-base: ", np.round((Rb * Vb).sum(1), 4))
print("tuned vs base (torch):     ", np.round((Vt * Vb).sum(1), 3))
