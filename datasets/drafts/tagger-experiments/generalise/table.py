"""Markdown tables from results.json (written by gen.py). Run: python table.py > table.md"""
import json
from pathlib import Path
R = json.load(open(Path(__file__).resolve().parent / "results.json"))
V = ["V0", "V1", "V1p", "V2", "V2d", "V0d", "V3", "V4a", "V4b"]
L = ["P1", "P2", "P3", "NONE"]
def hi(r): return f"{r['hi_right']}/{r['hi_tags']} = {r['hi_right']/r['hi_tags']:.3f}" if r["hi_tags"] else "0/0"
for split in ["pooled", "loco-ips", "loco-org"]:
    print(f"\n### {split}\n")
    print("| variant | macro-F1 | Δ vs V0 [95 % CI] | " + " | ".join(f"{l} F1" for l in L) +
          " | >= 0.8 right/tags | Δ precision [95 % CI] | AUC P1/P2/P3/gate |" + (" ips macro (NONE F1) | org macro (P2 F1) |" if split == "pooled" else ""))
    print("|---|---:|---|" + "---:|" * 4 + "---:|---|---|" + ("---:|---:|" if split == "pooled" else ""))
    for v in V:
        r = R[f"{split}/{v}"]; d = r["dmacro"]; p = r["dprec"]
        row = (f"| {v} | {r['macro']:.4f} | {d[0]:+.4f} [{d[1]:+.4f}, {d[2]:+.4f}] | " + " | ".join(f"{r['f1'][l]:.3f}" for l in L) +
               f" | {hi(r)} | {p[0]:+.3f} [{p[1]:+.3f}, {p[2]:+.3f}] | " + "/".join(f"{r['auc'][l]:.3f}" for l in L) + " |")
        if split == "pooled":
            b = r["by_coll"]
            row += f" {b['ips']['macro']:.3f} ({b['ips']['f1']['NONE']:.3f}) | {b['org']['macro']:.3f} ({b['org']['f1']['P2']:.3f}) |"
        print(row)
