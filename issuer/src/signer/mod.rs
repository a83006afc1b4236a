//! Where the issuer's Ed25519 key lives when it is not a plain JWK: each
//! implements veil-did's [`veil_did::Signer`], so issuance, status lists and
//! DID updates sign through it unchanged.

#[cfg(feature = "file-signer")]
pub mod file;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
