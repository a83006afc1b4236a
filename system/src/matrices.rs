//! The circuit's A, B, C matrices as a proving key file carries them
//! ([`crate::keys`], `VEILKEY3`), so that a prover never synthesizes the
//! circuit to load its key (525 ms of a 543 ms load on two cores).
//!
//! The compliance circuit's matrices have about 390,000 entries but only a
//! few hundred distinct coefficients, so the file holds each coefficient
//! once and every entry as two LEB128 varints:
//!
//! ```text
//! varint D | D × 32 bytes: the distinct coefficients, canonical little-endian
//! then for each of A, B, C: varint rows, and for each row: varint entries,
//!   and for each entry: varint coefficient (an index below D),
//!   varint zigzag(variable − the row's previous variable, the first from 0)
//! ```
//!
//! [`decode`] takes matrices only if they hash to the circuit's shape (the
//! shape digest of [`crate::shape`], recomputed over what was decoded), so a
//! file cannot bring another circuit's constraints; every count is bounded
//! by the bytes left before anything is allocated for it.

use crate::shape::{canonical_bytes, CircuitShape, Matrix, ShapeHasher};
use ark_serialize::CanonicalDeserialize;
use std::collections::HashMap;
use veil_circuits::F;

/// Why matrices carried in a key file were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MatricesError {
    /// They decode but do not hash to the circuit's shape: another
    /// circuit's, or damaged.
    #[error("the matrices are not this circuit's (their digest differs from its shape)")]
    NotThisCircuit,
    /// They do not decode: truncated, a count past the bytes left, a
    /// coefficient that is not canonical or not in the table, a variable
    /// index out of range, or bytes left over.
    #[error("the matrices do not decode")]
    Malformed,
}

/// The compact encoding of `abc` (the module's layout).
pub fn encode(abc: &[Matrix]) -> Vec<u8> {
    let mut table: HashMap<[u8; 32], u64> = HashMap::new();
    let mut coefficients = Vec::new();
    let mut entries = Vec::new();
    let mut bytes = [0u8; 32];
    for matrix in abc {
        put_varint(&mut entries, matrix.len() as u64);
        for row in matrix {
            put_varint(&mut entries, row.len() as u64);
            let mut previous = 0i128;
            for (coeff, index) in row {
                canonical_bytes(coeff, &mut bytes);
                let next = table.len() as u64;
                let id = *table.entry(bytes).or_insert_with(|| {
                    coefficients.extend_from_slice(&bytes);
                    next
                });
                put_varint(&mut entries, id);
                let index = *index as i128;
                put_varint(&mut entries, zigzag(index - previous));
                previous = index;
            }
        }
    }
    let mut out = Vec::with_capacity(10 + coefficients.len() + entries.len());
    put_varint(&mut out, table.len() as u64);
    out.extend_from_slice(&coefficients);
    out.extend_from_slice(&entries);
    out
}

/// The matrices `bytes` encode, if and only if they are `shape`'s.
pub fn decode(bytes: &[u8], shape: &CircuitShape) -> Result<Vec<Matrix>, MatricesError> {
    let mut r = Reader(bytes);
    let distinct = r.count(32)?;
    let table = r.take(32 * distinct)?;
    let coefficients = table
        .chunks_exact(32)
        .map(|mut c| F::deserialize_uncompressed(&mut c).map_err(|_| MatricesError::Malformed))
        .collect::<Result<Vec<F>, _>>()?;
    let mut hasher = ShapeHasher::new(
        shape.num_constraints,
        shape.num_instance_variables,
        shape.num_witness_variables,
    );
    let mut abc = Vec::with_capacity(3);
    for _ in 0..3 {
        // Every row takes at least its count's byte, every entry two.
        let rows = r.count(1)?;
        hasher.count(rows);
        let mut matrix = Vec::with_capacity(rows);
        for _ in 0..rows {
            let len = r.count(2)?;
            hasher.count(len);
            let mut row = Vec::with_capacity(len);
            let mut previous = 0i128;
            for _ in 0..len {
                let id = usize::try_from(r.varint()?).map_err(|_| MatricesError::Malformed)?;
                let coeff = *coefficients.get(id).ok_or(MatricesError::Malformed)?;
                let index = previous + unzigzag(r.varint()?);
                let variable = usize::try_from(index).map_err(|_| MatricesError::Malformed)?;
                let canonical: &[u8; 32] = table[32 * id..32 * id + 32]
                    .try_into()
                    .expect("a table entry is 32 bytes");
                hasher.entry(canonical, variable);
                row.push((coeff, variable));
                previous = index;
            }
            matrix.push(row);
        }
        abc.push(matrix);
    }
    if !r.0.is_empty() {
        return Err(MatricesError::Malformed);
    }
    if hasher.finish() != shape.digest {
        return Err(MatricesError::NotThisCircuit);
    }
    Ok(abc)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn zigzag(n: i128) -> u64 {
    // Variable indices and their differences fit in 64 bits.
    ((n << 1) ^ (n >> 127)) as u64
}

fn unzigzag(n: u64) -> i128 {
    ((n >> 1) as i128) ^ -((n & 1) as i128)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, MatricesError> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first().ok_or(MatricesError::Malformed)?;
            self.0 = rest;
            let bits = u64::from(byte & 0x7f);
            // The tenth byte may hold only the top bit.
            if shift == 63 && bits > 1 {
                return Err(MatricesError::Malformed);
            }
            n |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(MatricesError::Malformed)
    }

    /// A count of items each at least `min_bytes` long, refused if they
    /// could not fit in the bytes left.
    fn count(&mut self, min_bytes: usize) -> Result<usize, MatricesError> {
        usize::try_from(self.varint()?)
            .ok()
            .filter(|&n| n <= self.0.len() / min_bytes)
            .ok_or(MatricesError::Malformed)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], MatricesError> {
        let (head, rest) = self.0.split_at_checked(n).ok_or(MatricesError::Malformed)?;
        self.0 = rest;
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> (Vec<Matrix>, CircuitShape) {
        let abc = vec![
            vec![vec![(F::from(1u64), 0), (-F::from(3u64), 2)], vec![]],
            vec![
                vec![(F::from(2u64), 1)],
                vec![(F::from(5u64), 2), (F::from(1u64), 0)],
            ],
            vec![vec![], vec![(F::from(7u64), 0)]],
        ];
        let shape = CircuitShape::of_matrices(&abc, 2, 2, 1);
        (abc, shape)
    }

    #[test]
    fn matrices_round_trip_only_for_their_own_shape() {
        let (abc, shape) = small();
        let bytes = encode(&abc);
        assert_eq!(decode(&bytes, &shape).unwrap(), abc);
        // Five distinct coefficients (1 is used twice), written once each.
        assert_eq!(bytes[0], 5);
        // Another circuit's shape refuses them.
        assert_eq!(
            decode(&bytes, &CircuitShape::COMPLIANCE),
            Err(MatricesError::NotThisCircuit)
        );
        // Any byte changed, cut off or added: refused, never a panic.
        for at in 0..bytes.len() {
            for bit in [0x01, 0x80] {
                let mut flipped = bytes.clone();
                flipped[at] ^= bit;
                assert!(decode(&flipped, &shape).is_err(), "byte {at} bit {bit:#x}");
            }
            assert!(decode(&bytes[..at], &shape).is_err(), "cut at {at}");
        }
        assert_eq!(
            decode(&[&bytes[..], &[0]].concat(), &shape),
            Err(MatricesError::Malformed)
        );
    }

    #[test]
    fn hostile_counts_and_values_are_refused_before_allocating() {
        let (_, shape) = small();
        let mut huge = Vec::new();
        put_varint(&mut huge, u64::MAX);
        assert_eq!(decode(&huge, &shape), Err(MatricesError::Malformed));
        // An eleven-byte varint, and a tenth byte past 64 bits.
        assert_eq!(decode(&[0xff; 11], &shape), Err(MatricesError::Malformed));
        let mut past = vec![0xff; 9];
        past.push(0x02);
        assert_eq!(decode(&past, &shape), Err(MatricesError::Malformed));
        // A coefficient at or above the modulus is not canonical.
        let mut table = vec![1];
        table.extend_from_slice(&[0xff; 32]);
        assert_eq!(decode(&table, &shape), Err(MatricesError::Malformed));
        // A coefficient index past the table; a negative variable.
        for entry in [[5u8, 0], [0, 1]] {
            let mut bytes = vec![1];
            bytes.extend_from_slice(&[0; 32]);
            bytes.extend_from_slice(&[1, 1]);
            bytes.extend_from_slice(&entry);
            bytes.extend_from_slice(&[0, 0]);
            assert_eq!(decode(&bytes, &shape), Err(MatricesError::Malformed));
        }
        // A million rows claimed in a few bytes.
        let mut rows = vec![0];
        put_varint(&mut rows, 1_000_000);
        assert_eq!(decode(&rows, &shape), Err(MatricesError::Malformed));
    }

    #[test]
    fn zigzag_round_trips_deltas_both_ways() {
        for n in [0i128, 1, -1, 63, -64, i64::MAX as i128, i64::MIN as i128] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
    }
}
