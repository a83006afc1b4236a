//! Compact binary forms: a proof as 128 bytes (arkworks' compressed points:
//! A 32 | B 64 | C 32) and public inputs as 32-byte little-endian field
//! elements in the statement's order. Both decoders are strict: exact length,
//! canonical values, points validated.

use crate::error::DecodeError;
use crate::{Proof, NUM_PUBLIC_INPUTS};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use veil_circuits::encoding::{field_from_le_bytes, field_to_le_bytes};
use veil_circuits::F;

/// Length of an encoded proof.
pub const PROOF_LEN: usize = 128;

/// A proof as 128 bytes.
pub fn proof_to_bytes(proof: &Proof) -> Vec<u8> {
    let mut out = Vec::with_capacity(PROOF_LEN);
    proof
        .serialize_compressed(&mut out)
        .expect("writing to a Vec cannot fail");
    out
}

/// A proof from exactly 128 bytes, points checked on the curve and in the
/// subgroup.
pub fn proof_from_bytes(bytes: &[u8]) -> Result<Proof, DecodeError> {
    if bytes.len() != PROOF_LEN {
        return Err(DecodeError::Length {
            expected: PROOF_LEN,
            got: bytes.len(),
        });
    }
    Proof::deserialize_with_mode(bytes, Compress::Yes, Validate::Yes).map_err(|e| {
        DecodeError::Bytes {
            what: "proof",
            reason: e.to_string(),
        }
    })
}

/// Public inputs as `32 × n` bytes.
pub fn public_to_bytes(public: &[F]) -> Vec<u8> {
    public.iter().flat_map(field_to_le_bytes).collect()
}

/// The statement's public inputs from exactly `32 × 10` bytes, each a
/// canonical field element.
pub fn public_from_bytes(bytes: &[u8]) -> Result<Vec<F>, DecodeError> {
    if bytes.len() != 32 * NUM_PUBLIC_INPUTS {
        return Err(DecodeError::Length {
            expected: 32 * NUM_PUBLIC_INPUTS,
            got: bytes.len(),
        });
    }
    bytes
        .chunks(32)
        .enumerate()
        .map(|(i, chunk)| {
            field_from_le_bytes(chunk).map_err(|e| DecodeError::number(format!("public[{i}]"), e))
        })
        .collect()
}
