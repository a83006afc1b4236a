//! Moving field elements between arkworks' `Fr` (the native side in
//! `veil-circuits`) and halo2curves' `Fr` (the chips here): both are BN254's
//! scalar field, so the conversion is a copy of the canonical bytes.

use crate::Fr;
use ark_ff::{BigInteger, PrimeField};
use veil_circuits::F;

/// The halo2 element equal to an arkworks element.
pub fn fr(x: &F) -> Fr {
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&x.into_bigint().to_bytes_le());
    // A canonical arkworks element is below the modulus, so this is Some.
    Fr::from_bytes(&bytes).unwrap_or(Fr::zero())
}

/// The arkworks element equal to a halo2 element.
pub fn ark(x: &Fr) -> F {
    F::from_le_bytes_mod_order(&x.to_bytes())
}

/// Little-endian bits of an element's canonical integer, `n` of them.
pub fn bits_le(x: &F, n: usize) -> Vec<bool> {
    let bits = x.into_bigint().to_bits_le();
    (0..n)
        .map(|i| bits.get(i).copied().unwrap_or(false))
        .collect()
}
