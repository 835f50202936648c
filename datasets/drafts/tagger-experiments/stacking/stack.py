import numpy as np, sys
from sklearn.linear_model import LogisticRegression
rows=[l.rstrip('\n').split('\t') for l in open(sys.argv[1])][1:]
P=['access','planning','policy']
ids=[r[0] for r in rows]
Y=np.array([[p in r[1].split(',') for p in P] for r in rows],dtype=int)
T=np.array([[p in r[2].split(',') for p in P] for r in rows],dtype=int)
X=np.array([[float(x) for x in r[4:]] for r in rows])
def lg(x): x=np.clip(x,1e-4,1-1e-4); return np.log(x/(1-x))
F=np.hstack([lg(X), ])
def macro(Y,T):
    f=[]
    for j in range(3):
        tp=((Y[:,j]==1)&(T[:,j]==1)).sum(); fp=((Y[:,j]==0)&(T[:,j]==1)).sum(); fn=((Y[:,j]==1)&(T[:,j]==0)).sum()
        f.append(2*tp/(2*tp+fp+fn))
    yn=Y.sum(1)==0; tn=T.sum(1)==0
    tp=(yn&tn).sum(); fp=(~yn&tn).sum(); fn=(yn&~tn).sum(); f.append(2*tp/(2*tp+fp+fn))
    return np.mean(f), f
print('current', macro(Y,T))
# folds by hash of id
import hashlib
fold=np.array([int(hashlib.sha256(i.encode()).hexdigest(),16)%5 for i in ids])
for C in [0.1,1,10]:
  for thr in [(0.5,0.5,0.5),(0.4,0.5,0.4),(0.35,0.5,0.35),(0.3,0.45,0.3)]:
    D=np.zeros_like(Y)
    for k in range(5):
        tr=fold!=k; te=fold==k
        for j in range(3):
            m=LogisticRegression(C=C,max_iter=2000).fit(F[tr],Y[tr,j])
            D[te,j]=(m.predict_proba(F[te])[:,1]>=thr[j]).astype(int)
    print(C,thr,macro(Y,D))
