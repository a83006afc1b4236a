//! EdDSA-Poseidon on Baby Jubjub, bit-for-bit as circomlibjs (`prv2pub`,
//! `signPoseidon`, `verifyPoseidon`) and circomlib's `EdDSAPoseidonVerifier`.
//!
//! Key derivation: `h = BLAKE-512(private key)`; the low 32 bytes, pruned
//! (clear the 3 low bits, clear bit 255, set bit 254), are the scalar `s`;
//! the public key is `A = (s >> 3)·Base8`.
//! Signing message `m`: `r = BLAKE-512(h[32..64] || m as 32 LE bytes) mod l`,
//! `R8 = r·Base8`, `c = Poseidon(R8.x, R8.y, A.x, A.y, m)`, `S = r + c·s mod l`.
//! Verification: `S < l` and `S·Base8 = R8 + 8·c·A`.
//!
//! The gadget ([`verify_var`]) additionally rejects a key or `R8` outside the
//! prime-order subgroup (circomlib only clears the cofactor) and the identity key.

use crate::babyjubjub::{
    base8, mul_base8, mul_integer, pack_point, point_from_coords, subgroup_order, unpack_point,
    CurveError, Point, Scalar,
};
use crate::encoding::{field_to_le_bytes, prime_field_from_decimal, DecodeError};
use crate::poseidon::poseidon_fixed;
use crate::F;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};
use blake_hash::{Blake512, Digest};
use num_bigint::BigUint;
use zeroize::Zeroizing;

/// Why a key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A point (key or `R8`) was refused.
    #[error("invalid point: {0}")]
    Point(#[from] CurveError),
    /// A number did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// `S` is not below the subgroup order (malleable encoding).
    #[error("signature scalar S is not below the subgroup order")]
    ScalarOutOfRange,
    /// The identity is not a public key.
    #[error("the identity point is not a valid public key")]
    IdentityKey,
}

/// A 32-byte EdDSA-Poseidon private key (circomlibjs's `prv`).
#[derive(Clone)]
pub struct PrivateKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(<secret>)")
    }
}

/// An issuer's public key `A`, a point of the prime-order subgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub Point);

/// A signature `(R8, S)` with `R8` in the subgroup and `S < l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// `r·Base8`.
    pub r8: Point,
    /// `r + c·s mod l`.
    pub s: Scalar,
}

fn blake512(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = Blake512::new();
    for p in parts {
        h.update(p);
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(&h.finalize());
    out
}

impl PrivateKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        PrivateKey(Zeroizing::new(bytes))
    }

    /// A key from 64 hex characters.
    pub fn from_hex(s: &str) -> Result<Self, DecodeError> {
        Ok(Self::from_bytes(crate::encoding::bytes_from_hex::<32>(s)?))
    }

    /// A fresh key from the operating system's randomness.
    pub fn generate<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }

    /// The 32 key bytes (for storage by the caller).
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.0
    }

    /// `BLAKE-512(key)`.
    fn expanded(&self) -> [u8; 64] {
        blake512(&[self.0.as_slice()])
    }

    /// The pruned signing scalar `s` (a multiple of 8).
    fn signing_scalar(expanded: &[u8; 64]) -> BigUint {
        let mut low = [0u8; 32];
        low.copy_from_slice(&expanded[..32]);
        low[0] &= 0xf8;
        low[31] &= 0x7f;
        low[31] |= 0x40;
        BigUint::from_bytes_le(&low)
    }

    /// circomlibjs `prv2pub`: `(s >> 3)·Base8`.
    pub fn public_key(&self) -> PublicKey {
        let s = Self::signing_scalar(&self.expanded());
        PublicKey(mul_base8(&(s >> 3)))
    }

    /// circomlibjs `signPoseidon`: deterministic, identical output.
    pub fn sign(&self, message: F) -> Signature {
        let expanded = self.expanded();
        let s = Self::signing_scalar(&expanded);
        let a = mul_base8(&(&s >> 3));
        let nonce = blake512(&[&expanded[32..], &field_to_le_bytes(&message)]);
        let r = BigUint::from_bytes_le(&nonce) % subgroup_order();
        let r8 = mul_base8(&r);
        let c = challenge(&r8, &a, message);
        let c: BigUint = c.into_bigint().into();
        let s_sig = (r + c * s) % subgroup_order();
        Signature {
            r8,
            s: Scalar::from_le_bytes_mod_order(&s_sig.to_bytes_le()),
        }
    }
}

/// `Poseidon(R8.x, R8.y, A.x, A.y, m)`, the challenge both sides compute.
pub fn challenge(r8: &Point, a: &Point, message: F) -> F {
    poseidon_fixed([r8.x, r8.y, a.x, a.y, message])
}

impl PublicKey {
    /// A key from coordinates, refusing points off the curve, outside the
    /// subgroup, and the identity.
    pub fn from_coords(x: F, y: F) -> Result<Self, SignatureError> {
        let p = point_from_coords(x, y)?;
        if p.is_zero() {
            return Err(SignatureError::IdentityKey);
        }
        Ok(PublicKey(p))
    }

    /// circomlibjs `verifyPoseidon`: `S·Base8 == R8 + 8·c·A`.
    pub fn verify(&self, message: F, sig: &Signature) -> bool {
        if self.0.is_zero() || !self.0.is_on_curve() || !sig.r8.is_on_curve() {
            return false;
        }
        let c: BigUint = challenge(&sig.r8, &self.0, message).into_bigint().into();
        let s: BigUint = sig.s.into_bigint().into();
        let left = mul_integer(&base8(), &s);
        let right = (sig.r8.into_group() + mul_integer(&self.0, &(c * 8u32))).into_affine();
        left == right
    }

    /// circomlibjs `packPoint` of the key.
    pub fn to_bytes(&self) -> [u8; 32] {
        pack_point(&self.0)
    }

    /// A packed key, strictly decoded.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignatureError> {
        let p = unpack_point(bytes)?;
        Self::from_coords(p.x, p.y)
    }
}

impl Signature {
    /// A signature from decimal strings (`R8.x`, `R8.y`, `S`), as circomlibjs
    /// prints them; refuses `S ≥ l` and an `R8` outside the subgroup.
    pub fn from_decimal(r8x: &str, r8y: &str, s: &str) -> Result<Self, SignatureError> {
        let x = crate::encoding::field_from_decimal(r8x)?;
        let y = crate::encoding::field_from_decimal(r8y)?;
        let s = prime_field_from_decimal::<Scalar>(s, "Baby Jubjub subgroup order").map_err(
            |e| match e {
                DecodeError::OutOfRange { .. } => SignatureError::ScalarOutOfRange,
                other => SignatureError::Decode(other),
            },
        )?;
        Ok(Signature {
            r8: point_from_coords(x, y)?,
            s,
        })
    }

    /// circomlibjs `packSignature`: packed `R8` then `S` little-endian (64 bytes).
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&pack_point(&self.r8));
        out[32..].copy_from_slice(&self.s.into_bigint().to_bytes_le());
        out
    }

    /// A packed signature, strictly decoded.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignatureError> {
        crate::encoding::expect_len(bytes, 64)?;
        let r8 = unpack_point(&bytes[..32])?;
        let s = Scalar::from_bigint(
            BigUint::from_bytes_le(&bytes[32..])
                .try_into()
                .map_err(|_| SignatureError::ScalarOutOfRange)?,
        )
        .ok_or(SignatureError::ScalarOutOfRange)?;
        Ok(Signature { r8, s })
    }
}

// ---------------------------------------------------------------- gadget

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadget (feature `constraints`): EdDSA-Poseidon verification in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::babyjubjub::{enforce_in_subgroup, fixed_base_mul, variable_base_mul, PointVar};
    use crate::poseidon::poseidon_var;
    use ark_r1cs_std::{
        alloc::AllocVar,
        convert::ToBitsGadget,
        eq::EqGadget,
        fields::{fp::FpVar, FieldVar},
        groups::CurveVar,
    };
    use ark_relations::gr1cs::SynthesisError;

    /// A signature in a constraint system: `R8` and `S` as a field element.
    #[derive(Clone)]
    pub struct SignatureVar {
        /// `R8`, checked in the subgroup by [`verify_var`].
        pub r8: PointVar,
        /// `S`, checked `< l` by [`verify_var`].
        pub s: FpVar<F>,
    }

    impl AllocVar<Signature, F> for SignatureVar {
        fn new_variable<T: std::borrow::Borrow<Signature>>(
            cs: impl Into<ark_relations::gr1cs::Namespace<F>>,
            f: impl FnOnce() -> Result<T, SynthesisError>,
            mode: ark_r1cs_std::alloc::AllocationMode,
        ) -> Result<Self, SynthesisError> {
            let cs = cs.into().cs();
            let sig = f().map(|s| *s.borrow());
            let x = FpVar::new_variable(cs.clone(), || sig.map(|s| s.r8.x), mode)?;
            let y = FpVar::new_variable(cs.clone(), || sig.map(|s| s.r8.y), mode)?;
            let s = FpVar::new_variable(
                cs,
                || sig.map(|s| F::from_le_bytes_mod_order(&s.s.into_bigint().to_bytes_le())),
                mode,
            )?;
            Ok(SignatureVar {
                r8: PointVar::new(x, y),
                s,
            })
        }
    }

    /// Enforces that `sig` is a valid EdDSA-Poseidon signature on `message` under
    /// `key`: both points in the prime-order subgroup, the key not the identity,
    /// `S < l`, and `S·Base8 = R8 + 8·c·A` with `c = Poseidon(R8, A, m)`.
    pub fn verify_var(
        key: &PointVar,
        message: &FpVar<F>,
        sig: &SignatureVar,
    ) -> Result<(), SynthesisError> {
        enforce_in_subgroup(key)?;
        enforce_in_subgroup(&sig.r8)?;
        key.x.enforce_not_equal(&FpVar::zero())?;

        // S < l (l < 2^252): S fits in 252 bits and l - 1 - S does too (a
        // negative difference wraps to ~2^254 and cannot).
        let l_bits = Scalar::MODULUS_BIT_SIZE as usize;
        let s_bits = crate::compare::to_bits_checked(&sig.s, l_bits)?;
        let l_minus_one = FpVar::constant(F::from_le_bytes_mod_order(
            &(subgroup_order() - 1u32).to_bytes_le(),
        ));
        crate::compare::enforce_le(&sig.s, &l_minus_one, l_bits)?;

        let c = poseidon_var(&[
            sig.r8.x.clone(),
            sig.r8.y.clone(),
            key.x.clone(),
            key.y.clone(),
            message.clone(),
        ])?;
        let c_bits = c.to_bits_le()?;

        let left = fixed_base_mul(&s_bits, &base8())?;
        let mut key8 = key.clone();
        for _ in 0..3 {
            key8.double_in_place()?;
        }
        let right = &sig.r8 + &variable_base_mul(&c_bits, &key8)?;
        left.enforce_equal(&right)
    }
}
