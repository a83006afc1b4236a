//! veil's issuer: what only the party that runs KYC and signs credentials
//! holds.
//!
//! - [`issuance`]: a credential in one call — the claims with a fresh id,
//!   the signature (or a threshold group's signing request), the KYC record.
//! - [`signer`]: where the issuer's Ed25519 key lives — a
//!   passphrase-encrypted file (`file`, feature `file-signer`) or a PKCS#11
//!   token (`pkcs11`, feature `pkcs11`), behind veil-did's
//!   [`veil_did::Signer`] interface, so credentials are signed the same way
//!   whatever holds the key.
//! - [`frost`]: threshold issuance, t-of-n FROST over Baby Jubjub with a DKG,
//!   producing ordinary EdDSA-Poseidon signatures (no HSM implements Baby
//!   Jubjub; this keeps the ZK key off any single server).
//! - [`status`]: the revocation store — the revocation tree whose root proofs
//!   show non-membership against, and the W3C status list bits, written
//!   together (feature `store`).
//! - [`records`]: the KYC record behind each credential id, and
//!   [`disclosure`]: the issuer's answer to a logged, released disclosure
//!   request (feature `store`).

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

#[cfg(feature = "store")]
pub mod disclosure;
pub mod frost;
pub mod issuance;
pub mod records;
pub mod signer;
#[cfg(feature = "store")]
pub mod status;
