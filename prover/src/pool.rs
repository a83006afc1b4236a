//! Where the prover's independent steps run: side by side on rayon's pool
//! where rayon is built (natively, and the browser's threaded build, whose
//! pool is the Web Workers `wasm-bindgen-rayon` starts), else one after the
//! other.

/// `rayon::join` where rayon is built; else `a` then `b`.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(any(feature = "parallel", feature = "join"))]
    {
        rayon::join(a, b)
    }
    #[cfg(not(any(feature = "parallel", feature = "join")))]
    {
        (a(), b())
    }
}
