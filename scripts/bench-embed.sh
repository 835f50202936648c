#!/usr/bin/env bash
# The sentence reader's cost (BENCHMARKS.md, "Sentence reader"): model load time and
# embedding time by text length, on one thread and on every core, over real case-study
# texts (a sample of the labelled set's, as the tagger embeds them: title ". " description)
# and the benchmark generator's case studies, with the tagger's tuning and without.
#   bash scripts/bench-embed.sh [N]     N texts of each kind (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
profile=${PROFILE:-release}
dir=target/bench/embed
mkdir -p "$dir"
python3 - "$n" "$dir" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
cases = json.load(open("datasets/tagger/cases.json"))["case_studies"]
step = max(1, len(cases) // n)
with open(f"{out}/labelled.txt", "w") as f:
    for c in cases[::step][:n]:
        text = (c.get("title") or "") + ". " + (c.get("description") or c.get("summary") or "")
        f.write(" ".join(text.split()) + "\n")
PY
# The binary as every benchmark builds it; the example apart, as its crate alone: built
# with the binary, the example's dev-dependencies would change the features of the binary's
# dependencies, and the next benchmark would build the binary again.
source scripts/build-bin.sh
cargo build -q --locked --profile "$profile" -p civicgraph-embed --example throughput
out=target/${profile/#dev/debug}
"$bin" gen --datasets 10000 --out "$dir/gen" >/dev/null
python3 - "$n" "$dir" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
cases = json.load(open(f"{out}/gen/case-studies.json"))
cases = cases["case_studies"] if isinstance(cases, dict) else cases
with open(f"{out}/generated.txt", "w") as f:
    for c in cases[:n]:
        f.write(" ".join((c["title"] + ". " + c["description"]).split()) + "\n")
PY
example=$out/examples/throughput
# As the tagger reads them (its encoder tuned by ingest/tagger/tuning.cga), then untuned:
# what the tuning's adapter costs.
for kind in labelled generated; do
    echo "== $kind case studies, tuned"
    "$example" "$dir/$kind.txt" all ingest/tagger/tuning.cga
    echo "== $kind case studies, untuned"
    "$example" "$dir/$kind.txt"
done
