"""Feature blocks: stemmed words+bigrams, char n-grams, vocabulary cue counts, who-acts one-hots."""
import re
from collections import defaultdict
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer, CountVectorizer
from common import ROOT, tokens, fold_accents

def cue_terms():
    """{concept: [(lang, folded term)]} from skos:hiddenLabel / prefLabel of patterns, beneficiaries, actors."""
    out = defaultdict(list)
    for f in ["patterns.ttl", "beneficiaries.ttl", "actors.ttl"]:
        txt = (ROOT / "vocab/ontology" / f).read_text()
        txt = "\n".join(l for l in txt.splitlines() if not l.lstrip().startswith("#"))
        subj = None
        for m in re.finditer(r'(?m)^(cg\w*:[\w-]+)|skos:(?:hiddenLabel|prefLabel)\s+((?:"[^"]*"@\w+\s*,?\s*)+)', txt):
            if m.group(1):
                subj = m.group(1)
            elif subj:
                for term, lang in re.findall(r'"([^"]*)"@(\w+)', m.group(2)):
                    out[subj].append((lang, fold_accents(term)))
    return dict(out)

CUES = cue_terms()
CUE_NAMES = sorted(CUES)
_CUE_RX = {c: [(lang, re.compile(r"\b" + re.escape(t) + r"\b")) for lang, t in terms] for c, terms in CUES.items()}

def cue_counts(text, lang):
    t = fold_accents(text)
    return [sum(len(rx.findall(t)) for l, rx in _CUE_RX[c] if l == "en" or l == lang) for c in CUE_NAMES]

def prep(recs):
    for r in recs:
        toks, lang = tokens(r["text"])
        r["toks"], r["lang"] = toks, lang
        r["wordbag"] = toks + [a + "_" + b for a, b in zip(toks, toks[1:])]
        r["folded"] = fold_accents(r["text"])
        r["cues"] = cue_counts(r["text"], lang)
    return recs

ORG_MAP = {  # coarse who-acts from the source's organisation type
    "Central-Government": "gov", "Local Government": "gov", "Regional Government": "gov", "Governmental": "gov",
    "Govt-owned": "gov", "State Owned": "gov", "PPP": "gov",
    "For-profit": "company", "Private sector": "company",
    "Nonprofit": "civil", "Non-governmental": "civil", "Association": "civil", "Asssociation": "civil", "Charity": "civil",
    "Developer group": "devgroup", "Academic-Research": "academia", "Academic": "academia", "University": "academia",
    "Academic Institution": "academia", "Academic Institutions": "academia", "Educational": "academia",
}

class Blocks:
    """Fit on train records, transform any records. kinds: words, chars, cues, orgtype, actors, industry."""
    def __init__(self, kinds, words_tfidf=True, char_range=(2, 5), min_df=2, cue_scale=1.0, meta_scale=1.0):
        self.kinds, self.wt, self.cr, self.min_df = kinds, words_tfidf, char_range, min_df
        self.cue_scale, self.meta_scale = cue_scale, meta_scale

    def _meta(self, r):
        feats = []
        if "orgtype" in self.kinds and r["orgtype"]:
            feats += ["ot=" + r["orgtype"], "otc=" + ORG_MAP.get(r["orgtype"], "other")]
        if "actors" in self.kinds:
            feats += ["actor=" + a for a in r["actors"]]
        if "industry" in self.kinds and r["industry"]:
            feats += ["ind=" + r["industry"]]
        return feats

    def fit(self, recs):
        self.v = {}
        if "words" in self.kinds:
            V = TfidfVectorizer if self.wt else CountVectorizer
            kw = dict(sublinear_tf=True) if self.wt else dict(binary=True)
            self.v["words"] = V(analyzer=lambda x: x, min_df=self.min_df, **kw).fit([r["wordbag"] for r in recs])
        if "chars" in self.kinds:
            self.v["chars"] = TfidfVectorizer(analyzer="char_wb", ngram_range=self.cr, min_df=self.min_df,
                                              sublinear_tf=True, max_features=200000).fit([r["folded"] for r in recs])
        if any(k in self.kinds for k in ("orgtype", "actors", "industry")):
            self.v["meta"] = CountVectorizer(analyzer=lambda x: x, binary=True).fit([self._meta(r) for r in recs])
        return self

    def transform(self, recs):
        mats = []
        if "words" in self.v: mats.append(self.v["words"].transform([r["wordbag"] for r in recs]))
        if "chars" in self.v: mats.append(self.v["chars"].transform([r["folded"] for r in recs]))
        if "cues" in self.kinds:
            mats.append(sp.csr_matrix(np.log1p(np.array([r["cues"] for r in recs], dtype=float)) * self.cue_scale))
        if "meta" in self.v: mats.append(self.v["meta"].transform([self._meta(r) for r in recs]) * self.meta_scale)
        return sp.hstack(mats).tocsr()
