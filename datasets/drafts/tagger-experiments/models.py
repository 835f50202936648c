"""Per-pattern binary classifiers: fit on (X, Y[:, j]) and return P(pattern) for test rows."""
import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC
from sklearn.calibration import CalibratedClassifierCV
from sklearn.naive_bayes import ComplementNB

def lr(C=10.0, cw=None):
    def f(Xtr, y, Xte):
        m = LogisticRegression(C=C, class_weight=cw, max_iter=3000, solver="liblinear").fit(Xtr, y)
        return m.predict_proba(Xte)[:, 1]
    return f

def svm(C=0.5, cw=None):
    def f(Xtr, y, Xte):
        m = CalibratedClassifierCV(LinearSVC(C=C, class_weight=cw), method="sigmoid", cv=3).fit(Xtr, y)
        return m.predict_proba(Xte)[:, 1]
    return f

def sgd(alpha=1e-4):
    def f(Xtr, y, Xte):
        m = CalibratedClassifierCV(SGDClassifier(loss="modified_huber", alpha=alpha, random_state=0, max_iter=50, tol=None),
                                   method="sigmoid", cv=3).fit(Xtr, y)
        return m.predict_proba(Xte)[:, 1]
    return f

def cnb(alpha=0.3):
    def f(Xtr, y, Xte):
        m = ComplementNB(alpha=alpha).fit(Xtr, y)
        return m.predict_proba(Xte)[:, 1]
    return f
