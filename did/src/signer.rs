//! Where the issuer's Ed25519 key lives, behind one interface: a [`Signer`]
//! signs bytes and names its public key, whether the key sits in a plain
//! JWK (tests, the demo), a passphrase-encrypted file (veil-issuer's `signer::file`:
//! argon2id + XChaCha20-Poly1305), or a PKCS#11 token
//! (veil-issuer's `signer::pkcs11`: e.g. an HSM or SoftHSM2) that never lets it
//! out. [`SsiSigner`] lets `ssi` sign Data
//! Integrity proofs through any of them.
//!
//! Baby Jubjub (the ZK signature's curve) is not an HSM mechanism: no
//! PKCS#11 token implements it. Issuers keep that key off any single server
//! with threshold signing instead (veil-issuer's `frost`).

use crate::keys::ControllerKey;
use std::borrow::Cow;

/// The proof's `created` time in whole seconds. ssi stamps milliseconds,
/// and a time whose milliseconds end in zero (".550Z") canonicalizes
/// differently in didkit 0.2 than in ssi, so about one proof in ten failed to
/// verify there.
pub(crate) fn created_now<T: std::str::FromStr>() -> Option<T> {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
        .parse()
        .ok()
}

/// Why a signer could not be opened or could not sign. HSM errors name the
/// module, token or key.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The key itself is unusable.
    #[error(transparent)]
    Key(#[from] crate::error::KeyError),
    /// A key file that cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        message: String,
    },
    /// A field of an encrypted key file is malformed.
    #[error("encrypted key file, {field}: {message}")]
    Malformed {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The passphrase does not open the file (or the file was altered).
    #[error("wrong passphrase, or the key file was altered")]
    WrongPassphrase,
    /// The PKCS#11 module could not be loaded.
    #[error("PKCS#11 module {module}: {message}")]
    ModuleUnavailable {
        /// The module's path.
        module: String,
        /// Why.
        message: String,
    },
    /// No token with this label.
    #[error("no PKCS#11 token labelled {label:?} (tokens present: {present:?})")]
    TokenNotFound {
        /// The label asked for.
        label: String,
        /// The labels present.
        present: Vec<String>,
    },
    /// The user PIN is wrong.
    #[error("PKCS#11 token {token:?} (slot {slot}): PIN incorrect")]
    PinIncorrect {
        /// The token.
        token: String,
        /// Its slot.
        slot: u64,
    },
    /// The token is locked (too many wrong PINs) or its PIN not set up.
    #[error("PKCS#11 token {token:?} (slot {slot}) is locked: {reason}")]
    TokenLocked {
        /// The token.
        token: String,
        /// Its slot.
        slot: u64,
        /// Which lock.
        reason: String,
    },
    /// No key with this label on the token.
    #[error("PKCS#11 token {token:?} (slot {slot}) has no Ed25519 key labelled {label:?}")]
    KeyNotFound {
        /// The token.
        token: String,
        /// Its slot.
        slot: u64,
        /// The key label.
        label: String,
    },
    /// A key with this label exists already (generation refuses to shadow it).
    #[error("PKCS#11 token {token:?} (slot {slot}) already holds a key labelled {label:?}")]
    KeyExists {
        /// The token.
        token: String,
        /// Its slot.
        slot: u64,
        /// The key label.
        label: String,
    },
    /// Any other PKCS#11 failure, with the operation.
    #[error("PKCS#11 token {token:?}: {operation}: {message}")]
    Hsm {
        /// The token.
        token: String,
        /// The operation.
        operation: &'static str,
        /// The module's error.
        message: String,
    },
}

/// Something that signs with an Ed25519 key for an issuer (or a DID
/// controller) without necessarily revealing it.
pub trait Signer: Send + Sync {
    /// The public key as `publicKeyMultibase` (what DID documents list).
    fn public_multibase(&self) -> Result<String, SignerError>;
    /// An Ed25519 signature (64 bytes) over `data`.
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignerError>;
    /// Where the key lives, for logs and messages (never the key).
    fn describe(&self) -> String;
}

impl Signer for ControllerKey {
    fn public_multibase(&self) -> Result<String, SignerError> {
        Ok(ControllerKey::public_multibase(self)?)
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(ControllerKey::sign(self, data)?)
    }

    fn describe(&self) -> String {
        "an unencrypted key in memory".into()
    }
}

/// Adapts a [`Signer`] to `ssi`'s signer interface, so `ssi` computes the
/// Data Integrity proof and the signer only signs its bytes.
pub struct SsiSigner<'a>(pub &'a dyn Signer);

/// The per-method half of [`SsiSigner`].
pub struct SsiMessageSigner<'a>(&'a dyn Signer);

impl<'a, M: ssi::verification_methods::VerificationMethod> ssi::verification_methods::Signer<M>
    for SsiSigner<'a>
{
    type MessageSigner = SsiMessageSigner<'a>;

    async fn for_method(
        &self,
        _method: Cow<'_, M>,
    ) -> Result<Option<Self::MessageSigner>, ssi::claims::SignatureError> {
        Ok(Some(SsiMessageSigner(self.0)))
    }
}

impl<A> ssi::verification_methods::MessageSigner<A> for SsiMessageSigner<'_>
where
    A: ssi::crypto::algorithm::SignatureAlgorithmType,
    A::Instance: Into<ssi::crypto::AlgorithmInstance>,
{
    async fn sign(
        self,
        algorithm: A::Instance,
        message: &[u8],
    ) -> Result<Vec<u8>, ssi::claims::MessageSignatureError> {
        match algorithm.into() {
            ssi::crypto::AlgorithmInstance::EdDSA => self
                .0
                .sign(message)
                .map_err(ssi::claims::MessageSignatureError::signature_failed),
            other => Err(ssi::claims::MessageSignatureError::UnsupportedAlgorithm(
                other.algorithm().to_string(),
            )),
        }
    }
}
