//! Universal parameters (the KZG structured reference string): one setup for
//! every circuit up to `2^k` rows, so changing the statement needs new keys
//! but no new ceremony.
//!
//! Two sources:
//! - [`UniversalParams::insecure_local`]: generated here from a seed, for
//!   tests and the demo. Whoever knows the seed knows the toxic waste `τ` and
//!   can forge proofs; [`UniversalParams::is_insecure`] says so and the CLI
//!   prints it.
//! - [`UniversalParams::load`]: a published powers-of-tau SRS in halo2's
//!   format (`k` as u32 LE, `2^k` G1 powers, their Lagrange basis, `g2`,
//!   `τ·g2`), such as the files converted from the perpetual powers-of-tau
//!   ceremony. The file's BLAKE3 hash must equal the one the caller pinned,
//!   before a single point is parsed.

use halo2_base::halo2_proofs::arithmetic::parallelize;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine, G2Affine, G1};
use halo2_base::halo2_proofs::halo2curves::ff::{BatchInvert, Field, PrimeField};
use halo2_base::halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_base::halo2_proofs::halo2curves::group::{Curve, Group};
use halo2_base::halo2_proofs::poly::commitment::Params;
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The published seed of the demo's universal parameters: anyone can
/// recompute them, so proofs under them prove nothing. The committed
/// `contracts/src/Halo2Verifier.sol` is generated from them.
pub const INSECURE_DEMO_SEED: u64 = 0x7665_696c_6465_6d6f; // "veildemo"

/// Why parameters could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ParamsError {
    /// The file is not the one pinned.
    #[error("SRS file hash mismatch: expected blake3 {expected}, the file has {actual}")]
    HashMismatch {
        /// The pinned hash.
        expected: String,
        /// The file's hash.
        actual: String,
    },
    /// The pinned hash is not 64 hex digits.
    #[error("the pinned SRS hash must be 64 hex digits (blake3), got {0:?}")]
    BadPin(String),
    /// The bytes are not halo2 KZG parameters.
    #[error("malformed SRS file: {0}")]
    Malformed(String),
    /// The parameters are too small for the circuit.
    #[error("the SRS supports 2^{have} rows; the circuit needs 2^{need}")]
    TooSmall {
        /// `k` of the parameters.
        have: u32,
        /// `k` the circuit needs.
        need: u32,
    },
}

/// Where parameters came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamsOrigin {
    /// Generated locally from a seed: the toxic waste is known.
    InsecureLocal {
        /// The seed of the generator.
        seed: u64,
    },
    /// Loaded from a file whose BLAKE3 hash was checked.
    File {
        /// The file's BLAKE3 hash (hex).
        blake3: String,
    },
}

/// KZG parameters over BN254 with their provenance.
#[derive(Clone, Debug)]
pub struct UniversalParams {
    params: ParamsKZG<Bn256>,
    origin: ParamsOrigin,
}

impl UniversalParams {
    /// Parameters for `2^k` rows generated from `seed`. **Insecure**: the seed
    /// determines `τ`, so anyone who knows it can forge proofs. For tests and
    /// the demo only.
    pub fn insecure_local(k: u32, seed: u64) -> Self {
        let params = insecure_setup(k, ChaCha20Rng::seed_from_u64(seed));
        UniversalParams {
            params,
            origin: ParamsOrigin::InsecureLocal { seed },
        }
    }

    /// The demo's parameters ([`INSECURE_DEMO_SEED`]) for `2^k` rows.
    pub fn insecure_demo(k: u32) -> Self {
        Self::insecure_local(k, INSECURE_DEMO_SEED)
    }

    /// Parameters read from a published SRS file after checking that its
    /// BLAKE3 hash is `pinned_blake3` (hex).
    pub fn load(bytes: &[u8], pinned_blake3: &str) -> Result<Self, ParamsError> {
        let expected = pinned_blake3.trim().to_ascii_lowercase();
        if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParamsError::BadPin(pinned_blake3.to_string()));
        }
        let actual = blake3::hash(bytes).to_hex().to_string();
        if actual != expected {
            return Err(ParamsError::HashMismatch { expected, actual });
        }
        if bytes.len() < 4 {
            return Err(ParamsError::Malformed("shorter than its header".into()));
        }
        let mut k = [0u8; 4];
        k.copy_from_slice(&bytes[..4]);
        let k = u32::from_le_bytes(k);
        // The file is k, then 2^k + 2^k uncompressed G1 points (64 bytes)
        // and two G2 points (128 bytes), exactly: refuse absurd k before
        // halo2 allocates for it, and any other length before halo2's reader
        // (which panics on a file that ends early) sees it.
        if k == 0 || k > 28 || bytes.len() != 4 + (1usize << k) * 64 * 2 + 2 * 128 {
            return Err(ParamsError::Malformed(format!(
                "k = {k} does not match a file of {} bytes",
                bytes.len()
            )));
        }
        let params = ParamsKZG::<Bn256>::read(&mut &bytes[..])
            .map_err(|e| ParamsError::Malformed(e.to_string()))?;
        Ok(UniversalParams {
            params,
            origin: ParamsOrigin::File { blake3: actual },
        })
    }

    /// The parameters in halo2's file format (what [`Self::load`] reads).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.params.write(&mut out);
        out
    }

    /// BLAKE3 of [`Self::to_bytes`], the value to pin.
    pub fn blake3_hex(&self) -> String {
        blake3::hash(&self.to_bytes()).to_hex().to_string()
    }

    /// `log2` of the rows these parameters support.
    pub fn k(&self) -> u32 {
        self.params.k()
    }

    /// Parameters read from a file that were generated locally from `seed`
    /// (a keys directory records it beside the file): their toxic waste is
    /// known however they were stored, and [`Self::is_insecure`] keeps
    /// saying so.
    pub fn generated_from_seed(mut self, seed: u64) -> Self {
        self.origin = ParamsOrigin::InsecureLocal { seed };
        self
    }

    /// Whether the toxic waste of these parameters is known.
    pub fn is_insecure(&self) -> bool {
        matches!(self.origin, ParamsOrigin::InsecureLocal { .. })
    }

    /// Where the parameters came from.
    pub fn origin(&self) -> &ParamsOrigin {
        &self.origin
    }

    /// The parameters cut down to `2^k` rows (a larger SRS serves a smaller
    /// circuit).
    pub fn for_k(&self, k: u32) -> Result<ParamsKZG<Bn256>, ParamsError> {
        let have = self.params.k();
        if have < k {
            return Err(ParamsError::TooSmall { have, need: k });
        }
        let mut params = self.params.clone();
        if have > k {
            params.downsize(k);
        }
        Ok(params)
    }
}

/// A scalar's windows in [`FixedBase`]: the bytes of its representation.
const WINDOWS: usize = 32;

/// halo2's `ParamsKZG::setup`, point for point (the same `τ` drawn from the
/// same RNG, the same powers `τ^i·G` and Lagrange points `L_i(τ)·G`), at a
/// tenth of its cost: halo2 computes each of the `2^(k+1)` points with a
/// generic double-and-add, while every one of them is a multiple of one
/// fixed base, the generator, which a table of its window multiples turns
/// into 32 additions. Tests, the demo, `veil setup` and the fuzz targets all
/// generate parameters: at `k = 16` this took 7.5 s of every one of them.
fn insecure_setup(k: u32, mut rng: impl RngCore) -> ParamsKZG<Bn256> {
    assert!(k <= Fr::S, "k must be at most {}", Fr::S);
    let n = 1usize << k;
    let tau = Fr::random(&mut rng);

    let mut powers = vec![Fr::ZERO; n];
    parallelize(&mut powers, |chunk, start| {
        let mut power = tau.pow_vartime([start as u64]);
        for p in chunk {
            *p = power;
            power *= tau;
        }
    });

    // L_i(τ) = (τ^n − 1)/n · ω^i / (τ − ω^i), ω the n-th root of unity.
    let mut omega = Fr::ROOT_OF_UNITY_INV.invert().unwrap();
    for _ in k..Fr::S {
        omega = omega.square();
    }
    let n_inv = Fr::from(n as u64).invert().unwrap();
    let multiplier = (tau.pow_vartime([n as u64]) - Fr::ONE) * n_inv;
    let mut lagrange = vec![Fr::ZERO; n];
    parallelize(&mut lagrange, |chunk, start| {
        let first = omega.pow_vartime([start as u64]);
        let mut omega_i = first;
        for l in chunk.iter_mut() {
            *l = tau - omega_i;
            omega_i *= omega;
        }
        chunk.iter_mut().batch_invert();
        omega_i = first;
        for l in chunk.iter_mut() {
            *l *= multiplier * omega_i;
            omega_i *= omega;
        }
    });

    let generator = FixedBase::new(G1::generator());
    let g = generator.multiply_all(&powers);
    let g_lagrange = generator.multiply_all(&lagrange);
    let g2 = G2Affine::generator();
    let s_g2 = (g2 * tau).into();
    // halo2 builds parameters from parts only through an existing instance;
    // the one-row setup below is that instance and nothing of it is kept.
    ParamsKZG::<Bn256>::setup(0, ChaCha20Rng::seed_from_u64(0)).from_parts(
        k,
        g,
        Some(g_lagrange),
        g2,
        s_g2,
    )
}

/// The multiples `j·2^(8w)·B` of one point `B` for every byte position `w`
/// of a scalar and every byte value `j` (8,192 points): `s·B` is then one
/// addition per nonzero byte of `s`.
struct FixedBase {
    table: Vec<G1Affine>,
}

impl FixedBase {
    fn new(base: G1) -> Self {
        let mut projective = Vec::with_capacity(WINDOWS * 256);
        let mut window_base = base;
        for _ in 0..WINDOWS {
            let mut multiple = G1::identity();
            for _ in 0..256 {
                projective.push(multiple);
                multiple += window_base;
            }
            for _ in 0..8 {
                window_base = window_base.double();
            }
        }
        let mut table = vec![G1Affine::identity(); projective.len()];
        G1::batch_normalize(&projective, &mut table);
        FixedBase { table }
    }

    fn multiply(&self, scalar: &Fr) -> G1 {
        let mut sum = G1::identity();
        // The representation is little-endian: byte w is window w.
        for (window, byte) in scalar.to_repr().as_ref().iter().enumerate() {
            if *byte != 0 {
                sum += self.table[window * 256 + *byte as usize];
            }
        }
        sum
    }

    fn multiply_all(&self, scalars: &[Fr]) -> Vec<G1Affine> {
        let mut points = vec![G1Affine::identity(); scalars.len()];
        parallelize(&mut points, |chunk, start| {
            let projective: Vec<G1> = scalars[start..start + chunk.len()]
                .iter()
                .map(|s| self.multiply(s))
                .collect();
            G1::batch_normalize(&projective, chunk);
        });
        points
    }
}
