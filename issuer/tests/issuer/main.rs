//! veil-issuer's integration tests, one binary: issuing credentials with
//! their status entries and revoking them (the revocation store, crash-safe),
//! the key custody (encrypted files, PKCS#11 on SoftHSM2), FROST, and the
//! issuer's side of a disclosure.

mod credentials;
mod frost;
mod signer;
// The crash harness veil-did's registry tests use, shared rather than copied.
#[path = "../../../did/tests/did/support/mod.rs"]
mod support;
