//! Key files: a header binding the key to the circuit's shape, then the key in
//! arkworks' encoding, then a BLAKE3 checksum.
//!
//! ```text
//! magic "VEILKEY1" (compressed points), "VEILKEY2" (uncompressed points)
//!    or "VEILKEY3" (a proving key, uncompressed, and the circuit's matrices)
//! | kind u8 | shape digest [32] | payload length u64 LE | payload
//! | BLAKE3(payload) [32]
//! ```
//!
//! A `VEILKEY3` payload is the key followed by the circuit's A, B, C
//! matrices, compactly ([`crate::matrices`]). A prover needs them; without them it
//! synthesizes the circuit (525 ms of a 543 ms load on two cores). They are
//! taken only if they hash to the shape this build proves, so a file cannot
//! smuggle in another circuit's constraints.
//!
//! Loading checks, in order: magic, kind, that the shape matches the circuit
//! this build proves, the length, the checksum, then decodes with point
//! validation and refuses trailing bytes.
//!
//! Proving keys are written uncompressed ([`Encoding::Uncompressed`]): twice
//! the bytes, but a compressed point costs a square root to decode (the ~150k
//! points of the compliance key took 1.2 s on two cores, 5 s in a browser),
//! an uncompressed one only an on-curve check. A key whose whole file matches
//! a [`KeyPin`] the application ships (as it ships `halo2.vk`'s hash) is the
//! key that was checked when it was pinned: [`decode_proving_key_pinned`]
//! skips even the on-curve checks, and refuses any other file
//! ([`KeyFileError::PinMismatch`]) — it never loads an unpinned key unchecked.

use crate::matrices::{self, MatricesError};
use crate::shape::{CircuitShape, Matrix};
use crate::{ProvingKey, VerifyingKey};
use ark_bn254::{G1Affine, G2Affine};
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Validate,
};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The first bytes of a veil key file with compressed points.
pub const MAGIC: &[u8; 8] = b"VEILKEY1";
/// The first bytes of a veil key file with uncompressed points.
pub const MAGIC_UNCOMPRESSED: &[u8; 8] = b"VEILKEY2";
/// The first bytes of a proving key file with uncompressed points followed
/// by the circuit's matrices (what `veil setup` writes).
pub const MAGIC_WITH_MATRICES: &[u8; 8] = b"VEILKEY3";

/// How a key file's points are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// x and a sign bit: half the bytes, a square root per point to load.
    Compressed,
    /// x and y: twice the bytes, no square roots to load.
    Uncompressed,
}

impl Encoding {
    fn magic(self) -> &'static [u8; 8] {
        match self {
            Encoding::Compressed => MAGIC,
            Encoding::Uncompressed => MAGIC_UNCOMPRESSED,
        }
    }

    fn compress(self) -> Compress {
        match self {
            Encoding::Compressed => Compress::Yes,
            Encoding::Uncompressed => Compress::No,
        }
    }
}

/// How a key file is framed: its points' encoding and whether the
/// circuit's matrices follow the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Framing {
    encoding: Encoding,
    matrices: bool,
}

impl Framing {
    fn of_magic(bytes: &[u8]) -> Option<Self> {
        let (encoding, matrices) = match bytes.get(..8)? {
            m if m == MAGIC => (Encoding::Compressed, false),
            m if m == MAGIC_UNCOMPRESSED => (Encoding::Uncompressed, false),
            m if m == MAGIC_WITH_MATRICES => (Encoding::Uncompressed, true),
            _ => return None,
        };
        Some(Framing { encoding, matrices })
    }
}

/// Whether `bytes` start like a veil key file (any framing).
pub fn is_key_file(bytes: &[u8]) -> bool {
    Framing::of_magic(bytes).is_some()
}

/// The BLAKE3 hash of a whole key file, as an application pins it: a key
/// file matching its pin loads without per-point checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPin(pub [u8; 32]);

impl KeyPin {
    /// The pin of these file bytes.
    pub fn of(file: &[u8]) -> Self {
        KeyPin(*blake3::hash(file).as_bytes())
    }

    /// A pin from its 64 hex digits; `None` for anything else.
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(KeyPin(out))
    }
}

impl std::fmt::Display for KeyPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}
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
    /// The matrices a `VEILKEY3` file carries are not this circuit's.
    #[error("the key file's circuit matrices were refused: {0}")]
    Matrices(#[from] MatricesError),
    /// Matrices carried in a file of a kind other than a proving key.
    #[error("only a proving key file carries the circuit's matrices")]
    MatricesOnNonProvingKey,
    /// The file is not the one pinned: it is refused, never loaded unchecked.
    #[error("the key file is not the pinned one (BLAKE3 {found}, pinned {expected})")]
    PinMismatch {
        /// The pin (hex).
        expected: String,
        /// The file's hash (hex).
        found: String,
    },
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Encodes `key` as a key file of `kind` bound to `shape`, points compressed.
pub fn encode<K: CanonicalSerialize>(
    key: &K,
    kind: KeyKind,
    shape: &CircuitShape,
) -> Result<Vec<u8>, KeyFileError> {
    encode_with(key, kind, shape, Encoding::Compressed)
}

/// Encodes `key` as a key file of `kind` bound to `shape`, points written
/// as `encoding` says.
pub fn encode_with<K: CanonicalSerialize>(
    key: &K,
    kind: KeyKind,
    shape: &CircuitShape,
    encoding: Encoding,
) -> Result<Vec<u8>, KeyFileError> {
    let mut payload = Vec::with_capacity(key.serialized_size(encoding.compress()));
    key.serialize_with_mode(&mut payload, encoding.compress())?;
    Ok(frame(encoding.magic(), kind, shape, &payload))
}

/// Encodes a proving key file that carries the circuit's matrices
/// (`VEILKEY3`, points uncompressed): a prover loads it without
/// synthesizing the circuit. Matrices that are not `shape`'s are refused
/// here, so no file is written that every loader would refuse.
pub fn encode_proving_key(
    key: &ProvingKey,
    abc: &[Matrix],
    shape: &CircuitShape,
) -> Result<Vec<u8>, KeyFileError> {
    let of_matrices = CircuitShape::of_matrices(
        abc,
        shape.num_constraints,
        shape.num_instance_variables,
        shape.num_witness_variables,
    );
    if of_matrices != *shape {
        return Err(MatricesError::NotThisCircuit.into());
    }
    let matrices = matrices::encode(abc);
    let mut payload = Vec::with_capacity(key.uncompressed_size() + matrices.len());
    key.serialize_uncompressed(&mut payload)?;
    payload.extend_from_slice(&matrices);
    Ok(frame(
        MAGIC_WITH_MATRICES,
        KeyKind::Proving,
        shape,
        &payload,
    ))
}

/// The header, the payload and its checksum.
fn frame(magic: &[u8; 8], kind: KeyKind, shape: &CircuitShape, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + CHECKSUM_LEN);
    out.extend_from_slice(magic);
    out.push(kind as u8);
    out.extend_from_slice(&shape.digest);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(blake3::hash(payload).as_bytes());
    out
}

/// Decodes a key file of `kind`, refusing one bound to another shape (and,
/// in a file that carries them, matrices that are not the shape's).
pub fn decode<K: CanonicalDeserialize>(
    bytes: &[u8],
    kind: KeyKind,
    shape: &CircuitShape,
) -> Result<K, KeyFileError> {
    let (framing, mut reader) = checked_payload(bytes, kind, shape, Checksum::Verify)?;
    let key = K::deserialize_with_mode(&mut reader, framing.encoding.compress(), Validate::Yes)?;
    finish(reader, framing, shape, key).map(|(key, _)| key)
}

/// A proving key file's contents: what a prover needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvingKeyFile {
    /// The proving key (with its verifying key).
    pub key: ProvingKey,
    /// The circuit's A, B, C matrices, when the file carries them
    /// (`VEILKEY3`), already checked against the shape; `None` for the
    /// older files, whose prover synthesizes the circuit for them.
    pub matrices: Option<Vec<Matrix>>,
}

/// How much of a proving key's points to check while decoding.
#[derive(Clone, Copy)]
enum PointChecks {
    /// Every point on its curve; the verifying key and the G1 points fully
    /// validated (BN254's G1 has no cofactor).
    OnCurve,
    /// None: the file matched its pin.
    Pinned,
}

/// Decodes a proving key file like [`decode`], the ~150k points of the key's
/// queries on every core, in either [`Encoding`].
///
/// Every point is checked to be on its curve (for a compressed point,
/// decompression finds no `y` otherwise) and the verifying key and G1
/// points fully validated. The 24k G2 points of `b_g2_query` are not
/// subgroup-checked: that check costs 1.3 s (57 µs a point, a full scalar
/// multiplication) and protects nothing — those points only enter the
/// prover's own `B`, the file's integrity is covered by its BLAKE3 checksum,
/// and a proof built from a bad point fails the prover's self-check before
/// anyone sees it.
pub fn decode_proving_key(
    bytes: &[u8],
    shape: &CircuitShape,
) -> Result<ProvingKeyFile, KeyFileError> {
    decode_proving_key_with(bytes, shape, PointChecks::OnCurve)
}

/// Decodes a proving key file that must be the one `pin` names (the BLAKE3
/// of the whole file): a match is the key that was checked when it was
/// pinned, so its points are not checked again; any other file is
/// [`KeyFileError::PinMismatch`].
pub fn decode_proving_key_pinned(
    bytes: &[u8],
    shape: &CircuitShape,
    pin: &KeyPin,
) -> Result<ProvingKeyFile, KeyFileError> {
    let found = KeyPin::of(bytes);
    if &found != pin {
        return Err(KeyFileError::PinMismatch {
            expected: pin.to_string(),
            found: found.to_string(),
        });
    }
    // The pin covers the whole file, checksum included: it is not hashed twice.
    decode_proving_key_with(bytes, shape, PointChecks::Pinned)
}

fn decode_proving_key_with(
    bytes: &[u8],
    shape: &CircuitShape,
    checks: PointChecks,
) -> Result<ProvingKeyFile, KeyFileError> {
    let checksum = match checks {
        PointChecks::OnCurve => Checksum::Verify,
        PointChecks::Pinned => Checksum::CoveredByPin,
    };
    let (framing, mut r) = checked_payload(bytes, KeyKind::Proving, shape, checksum)?;
    let compress = framing.encoding.compress();
    let (validate, g2_on_curve) = match checks {
        PointChecks::OnCurve => (Validate::Yes, true),
        PointChecks::Pinned => (Validate::No, false),
    };
    let any = |_: &G1Affine| true;
    let g2 = |p: &G2Affine| !g2_on_curve || p.is_on_curve();
    let vk = VerifyingKey::deserialize_with_mode(&mut r, compress, validate)?;
    let beta_g1 = G1Affine::deserialize_with_mode(&mut r, compress, validate)?;
    let delta_g1 = G1Affine::deserialize_with_mode(&mut r, compress, validate)?;
    let key = ProvingKey {
        vk,
        beta_g1,
        delta_g1,
        a_query: points_par(&mut r, compress, validate, any)?,
        b_g1_query: points_par(&mut r, compress, validate, any)?,
        // Not subgroup-checked (above); on the curve unless pinned (a
        // compressed point that decodes is on it).
        b_g2_query: points_par(&mut r, compress, Validate::No, g2)?,
        h_query: points_par(&mut r, compress, validate, any)?,
        l_query: points_par(&mut r, compress, validate, any)?,
    };
    let (key, matrices) = finish(r, framing, shape, key)?;
    Ok(ProvingKeyFile { key, matrices })
}

/// A length-prefixed vector of points, decoded in parallel with `validate`,
/// each then passing `check` (for a check `validate` does not make).
fn points_par<P>(
    reader: &mut &[u8],
    compress: Compress,
    validate: Validate,
    check: impl Fn(&P) -> bool + Sync,
) -> Result<Vec<P>, SerializationError>
where
    P: CanonicalDeserialize + CanonicalSerialize + Default + Send,
{
    let len = u64::deserialize_compressed(&mut *reader)?;
    let size = P::default().serialized_size(compress);
    let total = usize::try_from(len)
        .ok()
        .and_then(|n| n.checked_mul(size))
        .filter(|&n| n <= reader.len())
        .ok_or(SerializationError::InvalidData)?;
    let (points, rest) = reader.split_at(total);
    *reader = rest;
    points
        .par_chunks(size)
        .map(|mut chunk| {
            let p = P::deserialize_with_mode(&mut chunk, compress, validate)?;
            if !check(&p) {
                return Err(SerializationError::InvalidData);
            }
            Ok(p)
        })
        .collect()
}

/// What follows the key: nothing, or (`VEILKEY3`) the shape's matrices.
fn finish<K>(
    rest: &[u8],
    framing: Framing,
    shape: &CircuitShape,
    key: K,
) -> Result<(K, Option<Vec<Matrix>>), KeyFileError> {
    if framing.matrices {
        return Ok((key, Some(matrices::decode(rest, shape)?)));
    }
    if !rest.is_empty() {
        return Err(KeyFileError::Malformed(SerializationError::InvalidData));
    }
    Ok((key, None))
}

/// Whether [`checked_payload`] hashes the payload.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checksum {
    Verify,
    /// The whole file already matched its pin.
    CoveredByPin,
}

/// Checks the header, length and checksum; returns the framing and the
/// payload.
fn checked_payload<'a>(
    bytes: &'a [u8],
    kind: KeyKind,
    shape: &CircuitShape,
    checksum: Checksum,
) -> Result<(Framing, &'a [u8]), KeyFileError> {
    let framing = Framing::of_magic(bytes).ok_or(KeyFileError::BadMagic)?;
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
    if framing.matrices && kind != KeyKind::Proving {
        return Err(KeyFileError::MatricesOnNonProvingKey);
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
    if checksum == Checksum::Verify
        && blake3::hash(payload).as_bytes() != &bytes[bytes.len() - CHECKSUM_LEN..]
    {
        return Err(KeyFileError::Checksum);
    }
    Ok((framing, payload))
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

/// Saves a proving key file with the circuit's matrices
/// ([`encode_proving_key`]): it loads without square roots and without a
/// synthesis (see the module's notes).
pub fn save_proving_key(
    path: &Path,
    key: &ProvingKey,
    abc: &[Matrix],
    shape: &CircuitShape,
) -> Result<(), KeyFileError> {
    write(path, &encode_proving_key(key, abc, shape)?)
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
pub fn load_proving_key(path: &Path, shape: &CircuitShape) -> Result<ProvingKeyFile, KeyFileError> {
    decode_proving_key(&read(path)?, shape)
}

/// Loads the proving key file `pin` names ([`decode_proving_key_pinned`]).
pub fn load_proving_key_pinned(
    path: &Path,
    shape: &CircuitShape,
    pin: &KeyPin,
) -> Result<ProvingKeyFile, KeyFileError> {
    decode_proving_key_pinned(&read(path)?, shape, pin)
}

/// Loads a verifying key file made for `shape`.
pub fn load_verifying_key(path: &Path, shape: &CircuitShape) -> Result<VerifyingKey, KeyFileError> {
    decode(&read(path)?, KeyKind::Verifying, shape)
}
