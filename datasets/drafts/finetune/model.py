import ctypes, csv, json, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from e5w import load, PATH
TAG = "/work/main/datasets/tagger"
lib = ctypes.CDLL("/tmp/s44/ft/libtok.so")
lib.e5_load.restype = ctypes.c_void_p; lib.e5_load.argtypes = [ctypes.c_char_p]
lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
_M = lib.e5_load(PATH.encode())
def tokenize(text, max_len):
    buf = (ctypes.c_int * max_len)()
    n = lib.e5x_tokenize(_M, text.encode(), buf, max_len)
    return list(buf[:n])

class E5(nn.Module):
    def __init__(self):
        super().__init__()
        cfg, T, f32t, q4 = load(); self.cfg = cfg
        H, FF = cfg["H"], cfg["FF"]; self.NH = cfg["NH"]; self.eps = cfg["eps"]
        self.word = nn.Embedding.from_pretrained(torch.from_numpy(q4("emb.word", H)), freeze=True)
        self.pos = nn.Parameter(torch.from_numpy(f32t("emb.pos").reshape(-1, H)))
        self.ttype = nn.Parameter(torch.from_numpy(f32t("emb.type").reshape(-1, H)[0]))
        self.eln = nn.LayerNorm(H, eps=self.eps)
        self.eln.weight.data = torch.from_numpy(f32t("emb.ln.w")); self.eln.bias.data = torch.from_numpy(f32t("emb.ln.b"))
        self.layers = nn.ModuleList()
        for l in range(cfg["NL"]):
            L = nn.Module()
            for nm, nout, nin in [("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)]:
                lin = nn.Linear(nin, nout)
                lin.weight.data = torch.from_numpy(q4(f"l{l}.{nm}.w", nin).copy()); lin.bias.data = torch.from_numpy(f32t(f"l{l}.{nm}.b"))
                setattr(L, nm, lin)
            for nm in ["aln", "oln"]:
                ln = nn.LayerNorm(H, eps=self.eps)
                ln.weight.data = torch.from_numpy(f32t(f"l{l}.{nm}.w")); ln.bias.data = torch.from_numpy(f32t(f"l{l}.{nm}.b"))
                setattr(L, nm, ln)
            self.layers.append(L)
    def forward(self, ids, mask):
        B, T = ids.shape; H = self.cfg["H"]; NH = self.NH; hd = H // NH
        x = self.word(ids) + self.pos[:T][None] + self.ttype
        x = self.eln(x)
        am = (~mask.bool())[:, None, None, :]
        for L in self.layers:
            q = L.q(x).view(B, T, NH, hd).transpose(1, 2)
            k = L.k(x).view(B, T, NH, hd).transpose(1, 2)
            v = L.v(x).view(B, T, NH, hd).transpose(1, 2)
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=~am)
            a = a.transpose(1, 2).reshape(B, T, H)
            x = L.aln(x + L.ao(a))
            x = L.oln(x + L.fo(F.gelu(L.fi(x))))
        m = mask[..., None].float()
        return (x * m).sum(1) / m.sum(1)

def batch(tok_lists):
    T = max(len(t) for t in tok_lists)
    ids = torch.zeros(len(tok_lists), T, dtype=torch.long); mask = torch.zeros(len(tok_lists), T)
    for i, t in enumerate(tok_lists):
        ids[i, :len(t)] = torch.tensor(t); mask[i, :len(t)] = 1
    return ids, mask

def training_cases():
    split = {r["case"]: r["split"] for r in csv.DictReader(open(f"{TAG}/split.tsv"), delimiter="\t")}
    train = {c for c, s in split.items() if s == "train"}
    cases = {c["id"]: c for c in json.load(open(f"{TAG}/cases.json"))["case_studies"] if c["id"] in train}
    ids = sorted(train)
    def text_of(c):
        d = (c.get("description") or "").strip() or (c.get("summary") or "").strip()
        return (c.get("title") or "") + ". " + d
    return ids, [text_of(cases[i]) for i in ids]
