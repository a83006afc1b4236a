//! Decoding of field elements and scalars from untrusted text and bytes.
//!
//! Every decoder is strict: a value that is not the canonical encoding of an
//! element (≥ the modulus, signs, leading zeros, the wrong length) is refused
//! with a typed error rather than reduced, so two encodings never name the same
//! value and nothing from outside can make veil panic.

use crate::F;
use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;

/// Why bytes or text were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a decimal number (empty, signs, other characters, leading zeros).
    #[error("not a canonical decimal number: {0:?}")]
    NotDecimal(String),
    /// Not hexadecimal, or the wrong number of bytes.
    #[error("expected {expected} bytes of hex, got {got:?}")]
    BadHex {
        /// Bytes expected.
        expected: usize,
        /// The text received (truncated).
        got: String,
    },
    /// The wrong number of bytes.
    #[error("expected {expected} bytes, got {got}")]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// A value ≥ the modulus of the field it claims to be in.
    #[error("value is not below the {field} modulus")]
    OutOfRange {
        /// Which field or group order was exceeded.
        field: &'static str,
    },
}

/// Parses a canonical decimal string (no sign, no leading zeros) as an integer.
pub fn decimal_to_biguint(s: &str) -> Result<BigUint, DecodeError> {
    let canonical = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'));
    if !canonical {
        return Err(DecodeError::NotDecimal(truncate(s)));
    }
    BigUint::parse_bytes(s.as_bytes(), 10).ok_or_else(|| DecodeError::NotDecimal(truncate(s)))
}

/// A canonical decimal string as an element of a prime field, refusing values
/// ≥ the modulus (snarkjs and circomlibjs write field elements this way).
pub fn prime_field_from_decimal<P: PrimeField>(
    s: &str,
    field: &'static str,
) -> Result<P, DecodeError> {
    let n = decimal_to_biguint(s)?;
    let modulus: BigUint = P::MODULUS.into();
    if n >= modulus {
        return Err(DecodeError::OutOfRange { field });
    }
    Ok(P::from_le_bytes_mod_order(&n.to_bytes_le()))
}

/// A BN254 scalar-field element from canonical decimal.
pub fn field_from_decimal(s: &str) -> Result<F, DecodeError> {
    prime_field_from_decimal(s, "BN254 scalar field")
}

/// Refuses a byte string that is not exactly `expected` long.
pub fn expect_len(bytes: &[u8], expected: usize) -> Result<(), DecodeError> {
    if bytes.len() != expected {
        return Err(DecodeError::Length {
            expected,
            got: bytes.len(),
        });
    }
    Ok(())
}

/// A field element from its 32-byte little-endian encoding, refusing ≥ p.
pub fn field_from_le_bytes(bytes: &[u8]) -> Result<F, DecodeError> {
    expect_len(bytes, 32)?;
    let n = BigUint::from_bytes_le(bytes);
    let modulus: BigUint = F::MODULUS.into();
    if n >= modulus {
        return Err(DecodeError::OutOfRange {
            field: "BN254 scalar field",
        });
    }
    Ok(F::from_le_bytes_mod_order(bytes))
}

/// The 32-byte little-endian encoding of a field element (circomlibjs `toRprLE`).
pub fn field_to_le_bytes(x: &F) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_le());
    out
}

/// The decimal string of a field element (snarkjs / circomlibjs form).
pub fn field_to_decimal(x: &F) -> String {
    let n: BigUint = x.into_bigint().into();
    n.to_str_radix(10)
}

/// Exactly `N` bytes from hex (either case, no prefix).
pub fn bytes_from_hex<const N: usize>(s: &str) -> Result<[u8; N], DecodeError> {
    let bad = || DecodeError::BadHex {
        expected: N,
        got: truncate(s),
    };
    if s.len() != 2 * N || !s.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}
