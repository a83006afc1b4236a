//! Key files: a header binding the key to the circuit's shape, then the key in
//! arkworks' compressed encoding, then a BLAKE3 checksum.
//!
//! ```text
//! magic "VEILKEY1" | kind u8 | shape digest [32] | payload length u64 LE
//! | payload (compressed) | BLAKE3(payload) [32]
//! ```
//!
//! Loading checks, in order: magic, kind, that the shape matches the circuit
//! this build proves, the length, the checksum, then decodes with full point
//! validation (on curve, in subgroup) and refuses trailing bytes.

use crate::shape::CircuitShape;
use crate::{ProvingKey, VerifyingKey};
use ark_bn254::G1Affine;
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Validate,
};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The first bytes of every veil key file.
pub const MAGIC: &[u8; 8] = b"VEILKEY1";
const HEADER_LEN: usize = 8 + 1 + 32 + 8;
const CHECKSUM_LEN: usize = 32;

/// What a key file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A Groth16 proving key.
    Proving = 1,
    /// A Groth16 verifying key.
    Verifying = 2,
}

impl KeyKind {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(KeyKind::Proving),
            2 => Some(KeyKind::Verifying),
            _ => None,
        }
    }
}

/// Why a key file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a veil key file.
    #[error("not a veil key file (bad magic)")]
    BadMagic,
    /// A key of the other kind, or an unknown kind byte.
    #[error("expected a {expected:?} key, found kind byte {found}")]
    WrongKind {
        /// What the caller asked for.
        expected: KeyKind,
        /// The kind byte in the file.
        found: u8,
    },
    /// The key was made for a different circuit.
    #[error("the key was made for another circuit (shape {found}, this build proves {expected})")]
    CircuitMismatch {
        /// This build's shape digest (hex).
        expected: String,
        /// The file's shape digest (hex).
        found: String,
    },
    /// The file is shorter or longer than its header says.
    #[error("key file truncated or padded: header says {expected} bytes, file has {got}")]
    Length {
        /// Total length implied by the header.
        expected: u64,
        /// Actual length.
        got: u64,
    },
    /// The checksum does not match: the payload was altered or damaged.
    #[error("key file checksum mismatch (corrupted)")]
    Checksum,
    /// The payload does not decode to a valid key.
    #[error("key does not decode: {0}")]
    Malformed(#[from] ark_serialize::SerializationError),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Encodes `key` as a key file of `kind` bound to `shape`.
pub fn encode<K: CanonicalSerialize>(
    key: &K,
    kind: KeyKind,
    shape: &CircuitShape,
) -> Result<Vec<u8>, KeyFileError> {
    let mut payload = Vec::with_capacity(key.compressed_size());
    key.serialize_compressed(&mut payload)?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + CHECKSUM_LEN);
    out.extend_from_slice(MAGIC);
    out.push(kind as u8);
    out.extend_from_slice(&shape.digest);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(blake3::hash(&payload).as_bytes());
    Ok(out)
}

/// Decodes a key file of `kind`, refusing one bound to another shape.
pub fn decode<K: CanonicalDeserialize>(
    bytes: &[u8],
    kind: KeyKind,
    shape: &CircuitShape,
) -> Result<K, KeyFileError> {
    let mut reader = checked_payload(bytes, kind, shape)?;
    let key = K::deserialize_with_mode(&mut reader, Compress::Yes, Validate::Yes)?;
    finish(reader, key)
}

/// Decodes a proving key file like [`decode`], decompressing the ~130k points
/// of the key's queries on every core.
///
/// Every point is checked to be on its curve (decompression finds no `y`
/// otherwise) and the verifying key and G1 points fully validated. The 24k G2
/// points of `b_g2_query` are not subgroup-checked: that check costs 1.3 s
/// (57 µs a point, a full scalar multiplication) and protects nothing — those
/// points only enter the prover's own `B`, the file's integrity is covered by
/// its BLAKE3 checksum, and a proof built from a bad point fails the prover's
/// self-check before anyone sees it.
pub fn decode_proving_key(bytes: &[u8], shape: &CircuitShape) -> Result<ProvingKey, KeyFileError> {
    let mut r = checked_payload(bytes, KeyKind::Proving, shape)?;
    let vk = VerifyingKey::deserialize_with_mode(&mut r, Compress::Yes, Validate::Yes)?;
    let beta_g1 = G1Affine::deserialize_with_mode(&mut r, Compress::Yes, Validate::Yes)?;
    let delta_g1 = G1Affine::deserialize_with_mode(&mut r, Compress::Yes, Validate::Yes)?;
    let key = ProvingKey {
        vk,
        beta_g1,
        delta_g1,
        a_query: points_par(&mut r)?,
        b_g1_query: points_par(&mut r)?,
        b_g2_query: points_par_on_curve(&mut r)?,
        h_query: points_par(&mut r)?,
        l_query: points_par(&mut r)?,
    };
    finish(r, key)
}

/// A length-prefixed vector of compressed points, decoded and fully
/// validated in parallel.
fn points_par<P>(reader: &mut &[u8]) -> Result<Vec<P>, SerializationError>
where
    P: CanonicalDeserialize + CanonicalSerialize + Default + Send,
{
    points_par_with(reader, Validate::Yes)
}

/// Like [`points_par`], checking only that each point is on the curve.
fn points_par_on_curve<P>(reader: &mut &[u8]) -> Result<Vec<P>, SerializationError>
where
    P: CanonicalDeserialize + CanonicalSerialize + Default + Send,
{
    points_par_with(reader, Validate::No)
}

fn points_par_with<P>(reader: &mut &[u8], validate: Validate) -> Result<Vec<P>, SerializationError>
where
    P: CanonicalDeserialize + CanonicalSerialize + Default + Send,
{
    let len = u64::deserialize_compressed(&mut *reader)?;
    let size = P::default().compressed_size();
    let total = usize::try_from(len)
        .ok()
        .and_then(|n| n.checked_mul(size))
        .filter(|&n| n <= reader.len())
        .ok_or(SerializationError::InvalidData)?;
    let (points, rest) = reader.split_at(total);
    *reader = rest;
    points
        .par_chunks(size)
        .map(|mut chunk| P::deserialize_with_mode(&mut chunk, Compress::Yes, validate))
        .collect()
}

fn finish<K>(reader: &[u8], key: K) -> Result<K, KeyFileError> {
    if !reader.is_empty() {
        return Err(KeyFileError::Malformed(SerializationError::InvalidData));
    }
    Ok(key)
}

/// Checks the header, length and checksum; returns the payload.
fn checked_payload<'a>(
    bytes: &'a [u8],
    kind: KeyKind,
    shape: &CircuitShape,
) -> Result<&'a [u8], KeyFileError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(KeyFileError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(KeyFileError::Length {
            expected: HEADER_LEN as u64,
            got: bytes.len() as u64,
        });
    }
    let found_kind = bytes[8];
    if KeyKind::from_byte(found_kind) != Some(kind) {
        return Err(KeyFileError::WrongKind {
            expected: kind,
            found: found_kind,
        });
    }
    let digest = &bytes[9..41];
    if digest != shape.digest {
        return Err(KeyFileError::CircuitMismatch {
            expected: shape.digest_hex(),
            found: hex(digest),
        });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[41..49]);
    let payload_len = u64::from_le_bytes(len);
    let expected = (HEADER_LEN as u64)
        .saturating_add(payload_len)
        .saturating_add(CHECKSUM_LEN as u64);
    if expected != bytes.len() as u64 {
        return Err(KeyFileError::Length {
            expected,
            got: bytes.len() as u64,
        });
    }
    let payload = &bytes[HEADER_LEN..bytes.len() - CHECKSUM_LEN];
    if blake3::hash(payload).as_bytes() != &bytes[bytes.len() - CHECKSUM_LEN..] {
        return Err(KeyFileError::Checksum);
    }
    Ok(payload)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), KeyFileError> {
    // Write beside the target and rename, so a crash never leaves half a key.
    let tmp = path.with_extension("partial");
    let io = |source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

fn read(path: &Path) -> Result<Vec<u8>, KeyFileError> {
    std::fs::read(path).map_err(|source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Saves a proving key file.
pub fn save_proving_key(
    path: &Path,
    key: &ProvingKey,
    shape: &CircuitShape,
) -> Result<(), KeyFileError> {
    write(path, &encode(key, KeyKind::Proving, shape)?)
}

/// Saves a verifying key file.
pub fn save_verifying_key(
    path: &Path,
    key: &VerifyingKey,
    shape: &CircuitShape,
) -> Result<(), KeyFileError> {
    write(path, &encode(key, KeyKind::Verifying, shape)?)
}

/// Loads a proving key file made for `shape`.
pub fn load_proving_key(path: &Path, shape: &CircuitShape) -> Result<ProvingKey, KeyFileError> {
    decode_proving_key(&read(path)?, shape)
}

/// Loads a verifying key file made for `shape`.
pub fn load_verifying_key(path: &Path, shape: &CircuitShape) -> Result<VerifyingKey, KeyFileError> {
    decode(&read(path)?, KeyKind::Verifying, shape)
}
