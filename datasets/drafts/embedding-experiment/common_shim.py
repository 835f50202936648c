"""Import ../tagger-experiments/common.py unchanged except for one path: the stop words it copies
moved from ingest/src/tag/features.rs to ingest/src/enrich/tag/features.rs. Registered as module
`common` so features.py (which does `from common import ...`) gets the same module."""
import sys, types
from pathlib import Path
TE = Path(__file__).resolve().parent.parent / "tagger-experiments"
src = (TE / "common.py").read_text().replace('"ingest/src/tag/features.rs"', '"ingest/src/enrich/tag/features.rs"')
common = types.ModuleType("common"); common.__file__ = str(TE / "common.py")
exec(compile(src, str(TE / "common.py"), "exec"), common.__dict__)
sys.modules["common"] = common
sys.path.insert(0, str(TE))
import features, models  # noqa: E402,F401  (from ../tagger-experiments, unchanged)
