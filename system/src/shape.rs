//! The circuit's shape: a BLAKE3 digest of its constraint matrices and sizes.
//! Two circuits with the same shape accept exactly the same witnesses, so a
//! key made for one works for the other; any change to the statement changes
//! the digest. Key files carry it ([`crate::keys`]).
//!
//! The compliance statement's shape is a constant here, so that nothing
//! synthesizes the circuit just to check a key file's binding; `veil-prover`
//! computes the shape from a real synthesis ([`CircuitShape::of_matrices`])
//! and its test checks the constant against it.

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
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
        let sizes = Sizes {
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        };
        CircuitShape {
            digest: sizes.digest(&encode_matrices(abc)),
            num_constraints,
            num_instance_variables,
            num_witness_variables,
        }
    }

    /// The matrices `bytes` encode ([`encode_matrices`]), if and only if they
    /// are this shape's: the digest is recomputed over exactly these bytes
    /// before they are parsed, so a key file's matrices are the circuit's
    /// own and nothing needs to synthesize it (a wallet's key load was a
    /// 525 ms synthesis for them).
    pub fn matrices_from_bytes(&self, bytes: &[u8]) -> Result<Vec<Matrix>, MatricesError> {
        let sizes = Sizes {
            num_constraints: self.num_constraints,
            num_instance_variables: self.num_instance_variables,
            num_witness_variables: self.num_witness_variables,
        };
        if sizes.digest(bytes) != self.digest {
            return Err(MatricesError::NotThisCircuit);
        }
        let mut reader = bytes;
        let abc = (0..3)
            .map(|_| read_matrix(&mut reader))
            .collect::<Option<Vec<_>>>()
            .filter(|_| reader.is_empty())
            // The bytes hashed to the shape, so they are what `encode_matrices`
            // wrote for the real circuit; failing to parse them means the
            // digest constant and the encoding disagree.
            .ok_or(MatricesError::Malformed)?;
        Ok(abc)
    }

    /// The digest as lowercase hex, for messages.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest)
    }
}

/// Why matrices carried in a key file were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MatricesError {
    /// They do not hash to the circuit's shape: another circuit's, or damaged.
    #[error("the matrices are not this circuit's (their digest differs from its shape)")]
    NotThisCircuit,
    /// They hash to the shape but do not parse (a build whose constant and
    /// encoding disagree).
    #[error("the matrices do not parse")]
    Malformed,
}

/// The sizes the shape digest starts with.
struct Sizes {
    num_constraints: usize,
    num_instance_variables: usize,
    num_witness_variables: usize,
}

impl Sizes {
    /// BLAKE3 over the domain tag, these sizes and the matrices' encoding.
    fn digest(&self, matrices: &[u8]) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"veil.circuit-shape.v1");
        for n in [
            self.num_constraints,
            self.num_instance_variables,
            self.num_witness_variables,
        ] {
            hasher.update(&(n as u64).to_le_bytes());
        }
        hasher.update(matrices);
        *hasher.finalize().as_bytes()
    }
}

/// Bytes of one `(coefficient, variable)` entry: the coefficient's 32
/// canonical little-endian bytes, the variable as a u64.
const ENTRY_LEN: usize = 32 + 8;

/// The A, B, C matrices as the shape digest hashes them and a proving key
/// file carries them: per matrix its row count, per row its entry count,
/// per entry the coefficient (32 bytes, canonical) and the variable index
/// (u64), every count a u64, all little-endian.
pub fn encode_matrices(abc: &[Matrix]) -> Vec<u8> {
    let entries: usize = abc.iter().flatten().map(Vec::len).sum();
    let rows: usize = abc.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(8 * (abc.len() + rows) + ENTRY_LEN * entries);
    for matrix in abc {
        out.extend_from_slice(&(matrix.len() as u64).to_le_bytes());
        for row in matrix {
            out.extend_from_slice(&(row.len() as u64).to_le_bytes());
            for (coeff, index) in row {
                coeff
                    .serialize_uncompressed(&mut out)
                    .expect("a field element serializes into a Vec");
                out.extend_from_slice(&(*index as u64).to_le_bytes());
            }
        }
    }
    out
}

fn read_u64(reader: &mut &[u8]) -> Option<usize> {
    let (head, rest) = reader.split_first_chunk::<8>()?;
    *reader = rest;
    usize::try_from(u64::from_le_bytes(*head)).ok()
}

fn read_matrix(reader: &mut &[u8]) -> Option<Matrix> {
    let rows = read_u64(reader)?;
    // Every row takes at least its 8-byte count: a count past the bytes
    // left is refused before anything is allocated for it.
    if rows > reader.len() / 8 {
        return None;
    }
    let mut matrix = Vec::with_capacity(rows);
    for _ in 0..rows {
        let len = read_u64(reader)?;
        if len > reader.len() / ENTRY_LEN {
            return None;
        }
        let mut row = Vec::with_capacity(len);
        for _ in 0..len {
            let (entry, rest) = reader.split_at_checked(ENTRY_LEN)?;
            *reader = rest;
            let coeff = F::deserialize_uncompressed(&entry[..32]).ok()?;
            let index = usize::try_from(u64::from_le_bytes(entry[32..].try_into().ok()?)).ok()?;
            row.push((coeff, index));
        }
        matrix.push(row);
    }
    Some(matrix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> (Vec<Matrix>, CircuitShape) {
        let abc = vec![
            vec![vec![(F::from(1u64), 0), (-F::from(3u64), 2)], vec![]],
            vec![vec![(F::from(2u64), 1)], vec![(F::from(5u64), 2)]],
            vec![vec![], vec![(F::from(7u64), 0)]],
        ];
        let shape = CircuitShape::of_matrices(&abc, 2, 2, 1);
        (abc, shape)
    }

    #[test]
    fn matrices_round_trip_only_for_their_own_shape() {
        let (abc, shape) = small();
        let bytes = encode_matrices(&abc);
        assert_eq!(shape.matrices_from_bytes(&bytes).unwrap(), abc);
        // Any byte changed, one cut off or one added: not this circuit.
        for at in [0, 8, 16, 20, bytes.len() - 1] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1;
            assert_eq!(
                shape.matrices_from_bytes(&flipped),
                Err(MatricesError::NotThisCircuit)
            );
        }
        assert_eq!(
            shape.matrices_from_bytes(&bytes[..bytes.len() - 1]),
            Err(MatricesError::NotThisCircuit)
        );
        // The compliance shape refuses these matrices.
        assert_eq!(
            CircuitShape::COMPLIANCE.matrices_from_bytes(&bytes),
            Err(MatricesError::NotThisCircuit)
        );
    }

    #[test]
    fn the_parser_refuses_short_oversized_and_non_canonical_input_without_allocating() {
        let (abc, _) = small();
        let bytes = encode_matrices(&abc);
        let parse = |b: &[u8]| {
            let mut r = b;
            read_matrix(&mut r)
        };
        assert!(parse(&bytes).is_some());
        assert!(parse(&bytes[..7]).is_none());
        assert!(parse(&bytes[..20]).is_none());
        // Counts far past the bytes left are refused before any allocation.
        assert!(parse(&u64::MAX.to_le_bytes()).is_none());
        let mut rows = 1u64.to_le_bytes().to_vec();
        rows.extend_from_slice(&(u64::MAX / 2).to_le_bytes());
        assert!(parse(&rows).is_none());
        // A coefficient at or above the field's modulus is not canonical.
        let mut entry = 1u64.to_le_bytes().to_vec();
        entry.extend_from_slice(&1u64.to_le_bytes());
        entry.extend_from_slice(&[0xff; 32]);
        entry.extend_from_slice(&0u64.to_le_bytes());
        assert!(parse(&entry).is_none());
    }

    #[test]
    fn the_digest_is_unchanged_by_the_encoding() {
        // The digest before the matrices were an encoding of their own: the
        // sizes and every entry fed to BLAKE3 one by one.
        let (abc, shape) = small();
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
