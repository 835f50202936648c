import json, time, numpy as np, torch
from model import *
torch.set_num_threads(2)
ids, texts = training_cases()
emb_ids = json.load(open("/work/main/datasets/drafts/embedding-experiment/loco_emb_ids.json"))
assert emb_ids == ids
E = np.load("/work/main/datasets/drafts/embedding-experiment/loco_emb_query.npy")
m = E5().eval()
sel = [i for i in range(0, 2747, 97)][:20]
toks = [tokenize(texts[i], 512) for i in sel]
print("lens", [len(t) for t in toks])
t = time.time()
with torch.no_grad():
    v = m(*batch(toks))
print("fwd", time.time() - t)
v = torch.nn.functional.normalize(v, dim=1).numpy()
print("cos", np.round((v * E[sel]).sum(1), 4))
