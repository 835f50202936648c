import json, numpy as np, csv
X = np.load('/tmp/embexp/X.npy'); ids = json.load(open('/tmp/embexp/ids.json'))
lab = {r['case']: r['patterns'] for r in csv.DictReader(open('/work/main/datasets/tagger/labels.tsv'), delimiter='\t')}
split = {r['case']: r['split'] for r in csv.DictReader(open('/work/main/datasets/tagger/split.tsv'), delimiter='\t')}
P = ['P1', 'P2', 'P3']
idx = [i for i, c in enumerate(ids) if split.get(c) == 'train' and c in lab]
print('train cases', len(idx), 'labels sample', [lab[ids[i]] for i in idx[:5]])
Y = np.array([[1.0 if p in lab[ids[i]].replace(',', ' ').split() else 0.0 for p in P] for i in idx])
Xt = X[idx]; Xt = Xt / np.linalg.norm(Xt, axis=1, keepdims=True); Xt = (Xt - Xt.mean(0)) / (Xt.std(0) + 1e-6)
Xt = np.hstack([Xt, np.ones((len(Xt), 1))])
def fit(X, y, l2=1e-2, it=1500, lr=0.5):
    w = np.zeros(X.shape[1])
    for _ in range(it):
        p = 1 / (1 + np.exp(-X @ w)); g = X.T @ (p - y) / len(y) + l2 * w; w -= lr * g
    return w
rng = np.random.default_rng(1); order = rng.permutation(len(idx)); folds = np.array_split(order, 5)
for thr in [0.3, 0.4, 0.5]:
    pred = np.zeros_like(Y)
    for f in folds:
        tr = np.setdiff1d(order, f)
        for k in range(3):
            w = fit(Xt[tr], Y[tr, k]); pred[f, k] = 1 / (1 + np.exp(-Xt[f] @ w))
    tags = pred >= thr
    f1s = []
    for k in range(3):
        tp = (tags[:, k] & (Y[:, k] == 1)).sum(); fp = (tags[:, k] & (Y[:, k] == 0)).sum(); fn = (~tags[:, k] & (Y[:, k] == 1)).sum()
        f1s.append(2 * tp / max(1, 2 * tp + fp + fn))
    none_t = ~tags.any(1); none_y = Y.sum(1) == 0
    tp = (none_t & none_y).sum(); fp = (none_t & ~none_y).sum(); fn = (~none_t & none_y).sum()
    f1s.append(2 * tp / max(1, 2 * tp + fp + fn))
    print(thr, 'F1 P1 P2 P3 NONE', [round(x, 3) for x in f1s], 'macro', round(np.mean(f1s), 3))
