//! A key file encrypted at rest: the private JWK sealed with
//! XChaCha20-Poly1305 under a key derived from a passphrase with argon2id.
//! The header (public key, KDF parameters, salt) is authenticated as
//! associated data, so a file whose public key or parameters were swapped
//! fails to open rather than signing with a surprise.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::path::Path;
use veil_did::keys::ControllerKey;
use veil_did::signer::{Signer, SignerError};
use zeroize::Zeroizing;

/// `type` of an encrypted key file.
pub const ENCRYPTED_KEY_TYPE: &str = "veil-encrypted-ed25519-key-v1";

/// argon2id's cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KdfCost {
    /// Memory, KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for KdfCost {
    /// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        KdfCost {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

/// The file's JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EncryptedKeyFile {
    /// [`ENCRYPTED_KEY_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The public key, readable without the passphrase.
    pub public_key_multibase: String,
    /// `argon2id`.
    pub kdf: String,
    /// Its costs.
    pub kdf_cost: KdfCost,
    /// Salt, base64.
    pub salt: String,
    /// `xchacha20poly1305`.
    pub cipher: String,
    /// Nonce, base64.
    pub nonce: String,
    /// The sealed private JWK, base64.
    pub ciphertext: String,
}

fn malformed(field: &'static str, message: impl ToString) -> SignerError {
    SignerError::Malformed {
        field,
        message: message.to_string(),
    }
}

fn derive_key(
    passphrase: &[u8],
    salt: &[u8],
    cost: KdfCost,
) -> Result<Zeroizing<[u8; 32]>, SignerError> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, Some(32))
        .map_err(|e| malformed("kdfCost", e))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase, salt, key.as_mut())
        .map_err(|e| malformed("kdfCost", e))?;
    Ok(key)
}

impl EncryptedKeyFile {
    /// The header bytes the cipher authenticates.
    fn associated_data(&self) -> Vec<u8> {
        let c = self.kdf_cost;
        format!(
            "{}|{}|{}|{}|{}|{}|{}|{}",
            self.kind,
            self.public_key_multibase,
            self.kdf,
            c.memory_kib,
            c.iterations,
            c.parallelism,
            self.salt,
            self.cipher
        )
        .into_bytes()
    }

    /// Seals `key` under `passphrase` (fresh salt and nonce from the OS).
    pub fn seal(
        key: &ControllerKey,
        passphrase: &[u8],
        cost: KdfCost,
    ) -> Result<Self, SignerError> {
        if passphrase.is_empty() {
            return Err(malformed("passphrase", "empty"));
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut file = EncryptedKeyFile {
            kind: ENCRYPTED_KEY_TYPE.into(),
            public_key_multibase: key.public_multibase()?,
            kdf: "argon2id".into(),
            kdf_cost: cost,
            salt: STANDARD.encode(salt),
            cipher: "xchacha20poly1305".into(),
            nonce: STANDARD.encode(nonce),
            ciphertext: String::new(),
        };
        let wrapping = derive_key(passphrase, &salt, cost)?;
        let cipher = XChaCha20Poly1305::new_from_slice(wrapping.as_ref())
            .map_err(|e| malformed("key", e))?;
        let plaintext = Zeroizing::new(key.to_json().into_bytes());
        let aad = file.associated_data();
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .map_err(|e| malformed("ciphertext", e))?;
        file.ciphertext = STANDARD.encode(sealed);
        Ok(file)
    }

    /// Opens the file with `passphrase`; the key inside must be the public
    /// key the header names.
    pub fn open(&self, passphrase: &[u8]) -> Result<ControllerKey, SignerError> {
        if self.kind != ENCRYPTED_KEY_TYPE {
            return Err(malformed("type", format!("expected {ENCRYPTED_KEY_TYPE}")));
        }
        if self.kdf != "argon2id" {
            return Err(malformed("kdf", "only argon2id"));
        }
        if self.cipher != "xchacha20poly1305" {
            return Err(malformed("cipher", "only xchacha20poly1305"));
        }
        let salt = STANDARD
            .decode(&self.salt)
            .map_err(|e| malformed("salt", e))?;
        let nonce: [u8; 24] = STANDARD
            .decode(&self.nonce)
            .map_err(|e| malformed("nonce", e))?
            .try_into()
            .map_err(|_| malformed("nonce", "expected 24 bytes"))?;
        let sealed = STANDARD
            .decode(&self.ciphertext)
            .map_err(|e| malformed("ciphertext", e))?;
        let wrapping = derive_key(passphrase, &salt, self.kdf_cost)?;
        let cipher = XChaCha20Poly1305::new_from_slice(wrapping.as_ref())
            .map_err(|e| malformed("key", e))?;
        let aad = self.associated_data();
        let plaintext = Zeroizing::new(
            cipher
                .decrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: &sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| SignerError::WrongPassphrase)?,
        );
        let text = std::str::from_utf8(&plaintext).map_err(|e| malformed("ciphertext", e))?;
        let key = ControllerKey::from_json(text)?;
        if key.public_multibase()? != self.public_key_multibase {
            return Err(malformed(
                "publicKeyMultibase",
                "not the key inside the file",
            ));
        }
        Ok(key)
    }

    /// Reads a file (JSON).
    pub fn read(path: &Path) -> Result<Self, SignerError> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        serde_json::from_str(&text).map_err(|e| malformed("json", e))
    }

    /// Writes the file, readable by its owner only.
    pub fn write(&self, path: &Path) -> Result<(), SignerError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| malformed("json", e))?;
        write_private(path, text.as_bytes()).map_err(|e| io(path, e))
    }
}

fn io(path: &Path, e: impl ToString) -> SignerError {
    SignerError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

pub use veil_did::keys::write_private;

/// A signer over an encrypted key file, opened once with its passphrase.
pub struct FileSigner {
    key: ControllerKey,
    path: String,
}

impl FileSigner {
    /// Opens `path` with `passphrase`.
    pub fn open(path: &Path, passphrase: &[u8]) -> Result<Self, SignerError> {
        let key = EncryptedKeyFile::read(path)?.open(passphrase)?;
        Ok(FileSigner {
            key,
            path: path.display().to_string(),
        })
    }
}

impl Signer for FileSigner {
    fn public_multibase(&self) -> Result<String, SignerError> {
        Ok(self.key.public_multibase()?)
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(self.key.sign(data)?)
    }

    fn describe(&self) -> String {
        format!("encrypted key file {}", self.path)
    }
}
