//! The circuit's shape: a BLAKE3 digest of its constraint matrices and sizes.
//! Two circuits with the same shape accept exactly the same witnesses, so a
//! key made for one works for the other; any change to the statement changes
//! the digest. Key files carry it ([`crate::keys`]).
//!
//! The compliance statement's shape is a constant here, so that nothing
//! synthesizes the circuit just to check a key file's binding; `veil-prover`
//! computes the shape from a real synthesis ([`CircuitShape::of_matrices`])
//! and its test checks the constant against it.

use ark_serialize::CanonicalSerialize;
use veil_circuits::F;

/// Fingerprint and sizes of a constraint system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitShape {
    /// BLAKE3 over the sizes and the A, B, C matrices.
    pub digest: [u8; 32],
    /// Number of constraints.
    pub num_constraints: usize,
    /// Number of instance variables, including the constant one.
    pub num_instance_variables: usize,
    /// Number of witness variables.
    pub num_witness_variables: usize,
}

/// One R1CS matrix as arkworks lays it out: per constraint, the
/// `(coefficient, variable index)` pairs of its linear combination.
pub type Matrix = Vec<Vec<(F, usize)>>;

impl CircuitShape {
    /// The shape of veil's compliance statement, as a constant: checking a
    /// key file's binding never synthesizes the circuit (a wallet loading a
    /// verifying key paid a full synthesis for it). `veil-prover`'s test
    /// synthesizes the circuit and checks this constant; a change to the
    /// statement fails it until the constant is updated.
    pub const COMPLIANCE: CircuitShape = CircuitShape {
        digest: [
            0x4e, 0xfa, 0x0a, 0x73, 0x1d, 0x1d, 0x94, 0x4b, 0xcd, 0xc4, 0xf3, 0xd8, 0xcd, 0x48,
            0xf8, 0x1a, 0x46, 0x90, 0x91, 0x6e, 0x6d, 0x39, 0x83, 0x3b, 0xbe, 0xaf, 0xb3, 0xb7,
            0x49, 0xda, 0x30, 0x1b,
        ],
        num_constraints: 20_335,
        num_instance_variables: 11,
        num_witness_variables: 20_220,
    };

    /// The shape of a constraint system with these sizes and A, B, C
    /// matrices (the digest is domain-separated as `veil.circuit-shape.v1`).
    pub fn of_matrices(
        abc: &[Matrix],
        num_constraints: usize,
        num_instance_variables: usize,
        num_witness_variables: usize,
    ) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"veil.circuit-shape.v1");
        for n in [
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        ] {
            hasher.update(&(n as u64).to_le_bytes());
        }
        let mut buf = Vec::with_capacity(32);
        for matrix in abc {
            hasher.update(&(matrix.len() as u64).to_le_bytes());
            for row in matrix {
                hasher.update(&(row.len() as u64).to_le_bytes());
                for (coeff, index) in row {
                    buf.clear();
                    coeff
                        .serialize_uncompressed(&mut buf)
                        .expect("a field element serializes into a Vec");
                    hasher.update(&buf);
                    hasher.update(&(*index as u64).to_le_bytes());
                }
            }
        }
        CircuitShape {
            digest: *hasher.finalize().as_bytes(),
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        }
    }

    /// The digest as lowercase hex, for messages.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest)
    }
}
