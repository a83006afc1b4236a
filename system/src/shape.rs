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
            0xfd, 0xdb, 0x59, 0x9a, 0x9e, 0x48, 0x7c, 0x34, 0xa2, 0x20, 0x44, 0x70, 0x5d, 0x87,
            0xb6, 0x38, 0x18, 0x50, 0x0b, 0x2d, 0x24, 0xc0, 0xec, 0x82, 0xc7, 0x0a, 0xfb, 0x6d,
            0x86, 0xc6, 0x1f, 0xbe,
        ],
        num_constraints: 17_038,
        num_instance_variables: 11,
        num_witness_variables: 16_944,
    };

    /// The shape of a constraint system with these sizes and A, B, C
    /// matrices (the digest is domain-separated as `veil.circuit-shape.v1`).
    pub fn of_matrices(
        abc: &[Matrix],
        num_constraints: usize,
        num_instance_variables: usize,
        num_witness_variables: usize,
    ) -> Self {
        let mut hasher = ShapeHasher::new(
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        );
        let mut bytes = [0u8; 32];
        for matrix in abc {
            hasher.count(matrix.len());
            for row in matrix {
                hasher.count(row.len());
                for (coeff, index) in row {
                    canonical_bytes(coeff, &mut bytes);
                    hasher.entry(&bytes, *index);
                }
            }
        }
        CircuitShape {
            digest: hasher.finish(),
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

/// A field element's 32 canonical little-endian bytes, as the digest hashes it.
pub(crate) fn canonical_bytes(x: &F, out: &mut [u8; 32]) {
    x.serialize_uncompressed(&mut out[..])
        .expect("a field element is 32 bytes");
}

/// The shape digest, fed entry by entry: BLAKE3 over the domain tag, the
/// three sizes, then per matrix its row count, per row its entry count and
/// per entry the coefficient's canonical bytes and the variable index,
/// every count and index a little-endian u64. Shared by
/// [`CircuitShape::of_matrices`] and the key file's matrices decoder
/// ([`crate::matrices`]), so both hash exactly the same bytes.
pub(crate) struct ShapeHasher {
    hasher: blake3::Hasher,
    buf: Vec<u8>,
}

/// Bytes gathered before each BLAKE3 update (small updates are slow).
const HASH_CHUNK: usize = 64 * 1024;

impl ShapeHasher {
    pub(crate) fn new(
        num_constraints: usize,
        num_instance_variables: usize,
        num_witness_variables: usize,
    ) -> Self {
        let mut hasher = ShapeHasher {
            hasher: blake3::Hasher::new(),
            buf: Vec::with_capacity(HASH_CHUNK + 64),
        };
        hasher.buf.extend_from_slice(b"veil.circuit-shape.v1");
        for n in [
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        ] {
            hasher.count(n);
        }
        hasher
    }

    pub(crate) fn count(&mut self, n: usize) {
        self.buf.extend_from_slice(&(n as u64).to_le_bytes());
        self.flush_if_full();
    }

    pub(crate) fn entry(&mut self, coeff: &[u8; 32], index: usize) {
        self.buf.extend_from_slice(coeff);
        self.buf.extend_from_slice(&(index as u64).to_le_bytes());
        self.flush_if_full();
    }

    fn flush_if_full(&mut self) {
        if self.buf.len() >= HASH_CHUNK {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
    }

    pub(crate) fn finish(mut self) -> [u8; 32] {
        self.hasher.update(&self.buf);
        *self.hasher.finalize().as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_blake3_over_the_documented_bytes() {
        // Fed to BLAKE3 one piece at a time, as v1 of the digest was written.
        let abc: Vec<Matrix> = vec![
            vec![vec![(F::from(1u64), 0), (-F::from(3u64), 2)], vec![]],
            vec![vec![(F::from(2u64), 1)], vec![(F::from(5u64), 2)]],
            vec![vec![], vec![(F::from(7u64), 0)]],
        ];
        let shape = CircuitShape::of_matrices(&abc, 2, 2, 1);
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"veil.circuit-shape.v1");
        for n in [2u64, 2, 1] {
            hasher.update(&n.to_le_bytes());
        }
        for matrix in &abc {
            hasher.update(&(matrix.len() as u64).to_le_bytes());
            for row in matrix {
                hasher.update(&(row.len() as u64).to_le_bytes());
                for (coeff, index) in row {
                    let mut buf = Vec::new();
                    coeff.serialize_uncompressed(&mut buf).unwrap();
                    hasher.update(&buf);
                    hasher.update(&(*index as u64).to_le_bytes());
                }
            }
        }
        assert_eq!(shape.digest, *hasher.finalize().as_bytes());
    }
}
