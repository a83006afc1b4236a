//! A keys directory: the files `veil setup` writes and every prover and
//! verifier of either system reads, named once.
//!
//! - Groth16: `compliance.pk` and `compliance.vk` (veil key files bound to
//!   the circuit's shape, [`crate::keys`]) and `verification_key.json`
//!   (snarkjs's form of the verifying key).
//! - halo2-KZG: `halo2.srs` (the universal parameters) with
//!   `halo2.srs.blake3`, the hash they are pinned to and checked against on
//!   every load, and `halo2.vk`, the verifying key with the circuit's layout.
//!   The proving key (78 MB) is not stored: a prover regenerates it from the
//!   SRS and it must reproduce `halo2.vk`.
//!
//! [`KeysDir::load_prover`] and [`KeysDir::load_verifier`] return the key
//! material of the system asked for; `veil-prover` and `veil-verifier` turn it
//! into a prover or a verifier without branching on the system themselves.

use crate::keys::{self, KeyFileError};
use crate::shape::Matrix;
use crate::{CircuitShape, DecodeError, ProvingKey, ProvingSystem, VerifyingKey};
use std::path::{Path, PathBuf};

/// The Groth16 proving key file.
pub const PROVING_KEY: &str = "compliance.pk";
/// The Groth16 verifying key file (bound to the circuit's shape).
pub const VERIFYING_KEY: &str = "compliance.vk";
/// The Groth16 verifying key in snarkjs's JSON.
pub const VERIFYING_KEY_JSON: &str = "verification_key.json";
/// The halo2 universal parameters.
pub const HALO2_SRS: &str = "halo2.srs";
/// The BLAKE3 (hex) the halo2 parameters are pinned to.
pub const HALO2_SRS_PIN: &str = "halo2.srs.blake3";
/// The halo2 verifying key.
pub const HALO2_VK: &str = "halo2.vk";
/// Where the halo2 parameters came from, kept beside them so that locally
/// generated (insecure) parameters stay marked as such once saved:
/// `insecure-local <seed>` or `file`.
pub const HALO2_SRS_ORIGIN: &str = "halo2.srs.origin";

/// Why keys could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// A Groth16 key file was refused.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A snarkjs verifying key that does not decode.
    #[error("{}: not a verifying key: {source}", path.display())]
    Snarkjs {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: DecodeError,
    },
    /// halo2 parameters or keys that were refused (wrong pin, another
    /// circuit, malformed).
    #[error("{}: {reason}", path.display())]
    Halo2 {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// This build has no halo2 backend (the wasm wallet's).
    #[error("{0} keys need veil's halo2 backend, which this build does not include")]
    NotBuilt(ProvingSystem),
}

/// What a prover needs, for either system.
// One per process: the inline Groth16 key's size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum ProverKeys {
    /// A Groth16 proving key file's key (and matrices, when it carries them).
    Groth16(keys::ProvingKeyFile),
    /// The halo2 universal parameters and verifying key; the proving key is
    /// regenerated from them.
    #[cfg(feature = "halo2")]
    Halo2Kzg {
        /// The universal parameters (their pin checked).
        params: veil_halo2::UniversalParams,
        /// The verifying key the regenerated proving key must reproduce.
        vk: veil_halo2::keys::Halo2VerifyingKey,
    },
}

/// What a verifier needs, for either system.
#[allow(clippy::large_enum_variant)]
pub enum VerifierKeys {
    /// A Groth16 verifying key.
    Groth16(VerifyingKey),
    /// The halo2 universal parameters and verifying key.
    #[cfg(feature = "halo2")]
    Halo2Kzg {
        /// The universal parameters (their pin checked).
        params: veil_halo2::UniversalParams,
        /// The verifying key.
        vk: veil_halo2::keys::Halo2VerifyingKey,
    },
}

/// A directory of keys (what `veil setup` writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysDir {
    dir: PathBuf,
}

impl KeysDir {
    /// The keys in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        KeysDir { dir: dir.into() }
    }

    /// The keys directory a verifying-key path names: the path itself when
    /// it is a directory, else the directory holding the file (halo2's files
    /// live beside its verifying key).
    pub fn of_key_path(path: &Path) -> Self {
        if path.is_dir() {
            return KeysDir::new(path);
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        KeysDir::new(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The path of `name` (one of this module's file names) in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The prover's keys of `system`, each file checked (Groth16: shape,
    /// length, checksum, points; halo2: the SRS against its pin, the
    /// verifying key's framing).
    pub fn load_prover(&self, system: ProvingSystem) -> Result<ProverKeys, KeysError> {
        match system {
            ProvingSystem::Groth16 => Ok(ProverKeys::Groth16(keys::load_proving_key(
                &self.file(PROVING_KEY),
                &CircuitShape::COMPLIANCE,
            )?)),
            #[cfg(feature = "halo2")]
            ProvingSystem::Halo2Kzg => Ok(ProverKeys::Halo2Kzg {
                params: self.halo2_params()?,
                vk: self.halo2_vk()?,
            }),
            #[cfg(not(feature = "halo2"))]
            ProvingSystem::Halo2Kzg => Err(KeysError::NotBuilt(system)),
        }
    }

    /// The verifier's keys of `system` (Groth16: `compliance.vk`).
    pub fn load_verifier(&self, system: ProvingSystem) -> Result<VerifierKeys, KeysError> {
        match system {
            ProvingSystem::Groth16 => Ok(VerifierKeys::Groth16(load_groth16_verifying_key(
                &self.file(VERIFYING_KEY),
            )?)),
            #[cfg(feature = "halo2")]
            ProvingSystem::Halo2Kzg => Ok(VerifierKeys::Halo2Kzg {
                params: self.halo2_params()?,
                vk: self.halo2_vk()?,
            }),
            #[cfg(not(feature = "halo2"))]
            ProvingSystem::Halo2Kzg => Err(KeysError::NotBuilt(system)),
        }
    }

    /// Writes the Groth16 keys: the proving key with the circuit's matrices
    /// `abc` (refused unless they are the compliance circuit's), the
    /// verifying key, and snarkjs's form of it.
    pub fn save_groth16(&self, proving_key: &ProvingKey, abc: &[Matrix]) -> Result<(), KeysError> {
        self.create()?;
        let shape = &CircuitShape::COMPLIANCE;
        keys::save_proving_key(&self.file(PROVING_KEY), proving_key, abc, shape)?;
        keys::save_verifying_key(&self.file(VERIFYING_KEY), &proving_key.vk, shape)?;
        write(
            &self.file(VERIFYING_KEY_JSON),
            crate::snarkjs::verifying_key_to_string(&proving_key.vk).as_bytes(),
        )
    }

    /// Writes the halo2 parameters, their pin and the verifying key.
    #[cfg(feature = "halo2")]
    pub fn save_halo2(
        &self,
        params: &veil_halo2::UniversalParams,
        keys: &veil_halo2::Halo2Keys,
    ) -> Result<(), KeysError> {
        self.create()?;
        let srs = params.to_bytes();
        write(&self.file(HALO2_SRS), &srs)?;
        let pin = format!("{}\n", blake3::hash(&srs).to_hex());
        write(&self.file(HALO2_SRS_PIN), pin.as_bytes())?;
        let origin = match params.origin() {
            veil_halo2::params::ParamsOrigin::InsecureLocal { seed } => {
                format!("insecure-local {seed}\n")
            }
            veil_halo2::params::ParamsOrigin::File { .. } => "file\n".to_owned(),
        };
        write(&self.file(HALO2_SRS_ORIGIN), origin.as_bytes())?;
        write(&self.file(HALO2_VK), &keys.verifying_key().to_bytes())
    }

    /// The halo2 universal parameters, checked against their pin.
    #[cfg(feature = "halo2")]
    pub fn halo2_params(&self) -> Result<veil_halo2::UniversalParams, KeysError> {
        let pin_path = self.file(HALO2_SRS_PIN);
        let pin = String::from_utf8(read(&pin_path)?).map_err(|_| KeysError::Halo2 {
            path: pin_path,
            reason: "the pin is not text".into(),
        })?;
        let path = self.file(HALO2_SRS);
        let params = veil_halo2::UniversalParams::load(&read(&path)?, &pin).map_err(|e| {
            KeysError::Halo2 {
                path,
                reason: e.to_string(),
            }
        })?;
        let origin_path = self.file(HALO2_SRS_ORIGIN);
        if !origin_path.exists() {
            return Ok(params);
        }
        let origin = String::from_utf8(read(&origin_path)?).unwrap_or_default();
        match origin.split_whitespace().collect::<Vec<_>>()[..] {
            ["file"] => Ok(params),
            ["insecure-local", seed] => match seed.parse() {
                Ok(seed) => Ok(params.generated_from_seed(seed)),
                Err(_) => Err(KeysError::Halo2 {
                    path: origin_path,
                    reason: format!("not a seed: {seed}"),
                }),
            },
            _ => Err(KeysError::Halo2 {
                path: origin_path,
                reason: "neither `file` nor `insecure-local <seed>`".into(),
            }),
        }
    }

    /// The halo2 verifying key.
    #[cfg(feature = "halo2")]
    pub fn halo2_vk(&self) -> Result<veil_halo2::keys::Halo2VerifyingKey, KeysError> {
        let path = self.file(HALO2_VK);
        veil_halo2::keys::Halo2VerifyingKey::from_bytes(&read(&path)?).map_err(|e| {
            KeysError::Halo2 {
                path,
                reason: e.to_string(),
            }
        })
    }

    fn create(&self) -> Result<(), KeysError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| KeysError::Io {
            path: self.dir.clone(),
            source,
        })
    }
}

/// The system a verifying-key path is for: halo2 for a `halo2.vk` file (by
/// its magic bytes) or a directory holding one, Groth16 otherwise.
pub fn key_system(path: &Path) -> ProvingSystem {
    #[cfg(feature = "halo2")]
    {
        let is_halo2_file = |p: &Path| {
            std::fs::read(p)
                .map(|b| b.starts_with(veil_halo2::keys::VK_MAGIC))
                .unwrap_or(false)
        };
        if is_halo2_file(path) || (path.is_dir() && path.join(HALO2_VK).is_file()) {
            return ProvingSystem::Halo2Kzg;
        }
    }
    let _ = path;
    ProvingSystem::Groth16
}

/// The verifier's keys for proofs of `system`, from a verifying-key path:
/// for Groth16 the file itself (a veil key file or snarkjs's JSON), for
/// halo2 the keys directory it names ([`KeysDir::of_key_path`]).
pub fn load_verifier_keys(system: ProvingSystem, path: &Path) -> Result<VerifierKeys, KeysError> {
    match system {
        ProvingSystem::Groth16 => Ok(VerifierKeys::Groth16(load_groth16_verifying_key(path)?)),
        ProvingSystem::Halo2Kzg => KeysDir::of_key_path(path).load_verifier(system),
    }
}

/// A Groth16 verifying key from a veil key file (its shape checked) or from
/// snarkjs's `verification_key.json`.
pub fn load_groth16_verifying_key(path: &Path) -> Result<VerifyingKey, KeysError> {
    groth16_verifying_key_from_bytes(&read(path)?).map_err(|e| match e {
        VerifyingKeyError::KeyFile(e) => KeysError::KeyFile(e),
        VerifyingKeyError::Snarkjs(source) => KeysError::Snarkjs {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Why bytes are not a Groth16 verifying key in either of its forms.
#[derive(Debug, thiserror::Error)]
pub enum VerifyingKeyError {
    /// A veil key file (it starts with the magic) that was refused.
    #[error("verifying key: {0}")]
    KeyFile(#[from] KeyFileError),
    /// Not a key file, and not a snarkjs verifying key.
    #[error("verifying key: {0}")]
    Snarkjs(#[from] DecodeError),
}

/// A Groth16 verifying key from the bytes of either form (what a wallet or
/// a binding was handed): a veil key file, told by its magic and checked
/// against the circuit's shape, or snarkjs's JSON.
pub fn groth16_verifying_key_from_bytes(bytes: &[u8]) -> Result<VerifyingKey, VerifyingKeyError> {
    if keys::is_key_file(bytes) {
        return Ok(keys::decode(
            bytes,
            keys::KeyKind::Verifying,
            &CircuitShape::COMPLIANCE,
        )?);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| DecodeError::Json("neither a veil key file nor JSON text".into()))?;
    Ok(crate::snarkjs::verifying_key_from_str(text)?)
}

fn read(path: &Path) -> Result<Vec<u8>, KeysError> {
    std::fs::read(path).map_err(|source| KeysError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), KeysError> {
    std::fs::write(path, bytes).map_err(|source| KeysError::Io {
        path: path.to_path_buf(),
        source,
    })
}
