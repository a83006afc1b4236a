//! Why a proof (or batch) was not accepted. Decoding errors are
//! [`veil_system::DecodeError`], shared with the prover's side.

/// Why a proof (or batch) was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The pairing check failed: the proof is not valid for these inputs.
    #[error("the proof does not verify for these public inputs")]
    Rejected,
    /// At least one proof of a batch is invalid; these are the indices.
    #[error("{} of the batch's proofs do not verify: {invalid:?}", invalid.len())]
    BatchRejected {
        /// Indices of the invalid proofs.
        invalid: Vec<usize>,
    },
    /// The proof was made by another proving system than the key's.
    #[error("a {proof} proof cannot be checked with a {key} verifying key")]
    WrongSystem {
        /// The key's system.
        key: veil_system::ProvingSystem,
        /// The proof's system.
        proof: veil_system::ProvingSystem,
    },
    /// Keys of a system this build cannot verify.
    #[error("this build cannot verify {0} proofs (veil-verifier's `halo2` feature is off)")]
    NotBuilt(veil_system::ProvingSystem),
    /// Not the statement's number of public inputs.
    #[error("expected {expected} public inputs, got {got}")]
    InputCount {
        /// Inputs the key expects.
        expected: usize,
        /// Inputs given.
        got: usize,
    },
}
