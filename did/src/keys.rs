//! Ed25519 controller keys through `ssi` (JWK generation, signing and
//! verification are ssi's), and their `publicKeyMultibase` form.

use crate::error::KeyError;
use ssi::jwk::{Algorithm, Params, JWK};
use ssi::multicodec::MultiEncodedBuf;

/// An Ed25519 key pair that controls a DID (or signs credentials).
#[derive(Clone)]
pub struct ControllerKey {
    jwk: JWK,
}

impl std::fmt::Debug for ControllerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private part.
        f.debug_struct("ControllerKey")
            .field("public", &self.public_multibase().ok())
            .finish()
    }
}

fn is_ed25519(jwk: &JWK) -> bool {
    matches!(&jwk.params, Params::OKP(p) if p.curve == "Ed25519")
}

impl ControllerKey {
    /// A fresh key from the OS's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        let jwk = JWK::generate_ed25519().map_err(|e| KeyError::Crypto(e.to_string()))?;
        Ok(ControllerKey { jwk })
    }

    /// A key from its private JWK.
    pub fn from_jwk(jwk: JWK) -> Result<Self, KeyError> {
        if !is_ed25519(&jwk) {
            return Err(KeyError::NotEd25519);
        }
        match &jwk.params {
            Params::OKP(p) if p.private_key.is_some() => Ok(ControllerKey { jwk }),
            _ => Err(KeyError::NotPrivate),
        }
    }

    /// A key from private JWK JSON.
    pub fn from_json(s: &str) -> Result<Self, KeyError> {
        let jwk: JWK = serde_json::from_str(s).map_err(|e| KeyError::Json(e.to_string()))?;
        Self::from_jwk(jwk)
    }

    /// The private JWK as JSON (for a key file).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.jwk).unwrap_or_default()
    }

    /// The private JWK.
    pub fn jwk(&self) -> &JWK {
        &self.jwk
    }

    /// The public JWK.
    pub fn public_jwk(&self) -> JWK {
        self.jwk.to_public()
    }

    /// `z…`: multibase base58btc of the multicodec `ed25519-pub` key.
    pub fn public_multibase(&self) -> Result<String, KeyError> {
        public_multibase(&self.public_jwk())
    }

    /// An EdDSA signature over `data`.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        ssi::claims::jws::sign_bytes(Algorithm::EdDSA, data, &self.jwk)
            .map_err(|e| KeyError::Crypto(e.to_string()))
    }
}

/// The `publicKeyMultibase` of a public Ed25519 JWK.
pub fn public_multibase(jwk: &JWK) -> Result<String, KeyError> {
    if !is_ed25519(jwk) {
        return Err(KeyError::NotEd25519);
    }
    let encoded = jwk
        .to_public()
        .to_multicodec()
        .map_err(|e| KeyError::Crypto(e.to_string()))?;
    Ok(multibase::encode(
        multibase::Base::Base58Btc,
        encoded.into_bytes(),
    ))
}

/// The public Ed25519 JWK of a `publicKeyMultibase`.
pub fn jwk_from_multibase(s: &str) -> Result<JWK, KeyError> {
    let (base, bytes) = multibase::decode(s).map_err(|e| KeyError::Multibase(e.to_string()))?;
    if base != multibase::Base::Base58Btc {
        return Err(KeyError::Multibase("expected base58btc ('z')".into()));
    }
    let encoded = MultiEncodedBuf::new(bytes).map_err(|e| KeyError::Multibase(format!("{e:?}")))?;
    let jwk = JWK::from_multicodec(&encoded).map_err(|e| KeyError::Multibase(e.to_string()))?;
    if !is_ed25519(&jwk) {
        return Err(KeyError::NotEd25519);
    }
    Ok(jwk)
}

/// Checks an EdDSA signature by the key `public_multibase`.
pub fn verify(public_multibase: &str, data: &[u8], signature: &[u8]) -> Result<(), KeyError> {
    let jwk = jwk_from_multibase(public_multibase)?;
    ssi::claims::jws::verify_bytes(Algorithm::EdDSA, data, &jwk, signature)
        .map_err(|_| KeyError::BadSignature)
}

/// Writes `bytes` to `path` readable by its owner only (the documents'
/// writer, re-exported for key files).
pub use veil_circuits::statement::files::write_private;
