//! Hashing many independent inputs (a Merkle tree's level, an indexed
//! tree's leaves) on every core when the `parallel` feature is on: a
//! wallet building a revocation list of 2^20 ids hashes 2^21 times.
//! Small inputs stay on the calling thread, where a thread pool's hand-off
//! would cost more than the hashes.

/// Inputs below this many chunks are mapped on the calling thread.
#[cfg(feature = "parallel")]
const PARALLEL_FROM: usize = 1 << 12;

/// `items` in chunks of `size` (the last may be shorter), each mapped by
/// `f`, in order.
pub(crate) fn map_chunks<T, U>(
    items: &[T],
    size: usize,
    f: impl Fn(&[T]) -> U + Sync + Send,
) -> Vec<U>
where
    T: Sync,
    U: Send,
{
    #[cfg(feature = "parallel")]
    if items.len() / size >= PARALLEL_FROM {
        use rayon::prelude::*;
        return items.par_chunks(size).map(f).collect();
    }
    items.chunks(size).map(f).collect()
}
