//! Typed errors for decoding and verification.

/// Why bytes or JSON from outside were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON of the expected form; the message names the field.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// A number is not canonical or not below its field's modulus.
    #[error("{field}: {source}")]
    Number {
        /// Which value (e.g. `pi_a[0]`, `public[3]`).
        field: String,
        /// The cause.
        source: veil_circuits::encoding::DecodeError,
    },
    /// A point's coordinates are not on the curve.
    #[error("{0} is not a point on the curve")]
    NotOnCurve(String),
    /// A point on the curve but outside the prime-order subgroup.
    #[error("{0} is not in the prime-order subgroup")]
    NotInSubgroup(String),
    /// A projective coordinate other than the affine forms snarkjs writes.
    #[error("{0}: expected affine coordinates (z = 1, or 0 for infinity)")]
    NotAffine(String),
    /// `protocol` is not `groth16`.
    #[error("unsupported protocol {0:?} (expected \"groth16\")")]
    Protocol(String),
    /// `curve` is not `bn128`.
    #[error("unsupported curve {0:?} (expected \"bn128\")")]
    Curve(String),
    /// Not the statement's number of public inputs.
    #[error("expected {expected} public inputs, got {got}")]
    InputCount {
        /// Inputs the statement has.
        expected: usize,
        /// Inputs received.
        got: usize,
    },
    /// Bytes of the wrong length.
    #[error("expected {expected} bytes, got {got}")]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// Bytes that are not a canonical, valid encoding.
    #[error("{what}: {reason}")]
    Bytes {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's reason.
        reason: String,
    },
}

impl DecodeError {
    pub(crate) fn number(
        field: impl Into<String>,
        source: veil_circuits::encoding::DecodeError,
    ) -> Self {
        DecodeError::Number {
            field: field.into(),
            source,
        }
    }
}

impl From<serde_json::Error> for DecodeError {
    fn from(e: serde_json::Error) -> Self {
        DecodeError::Json(e.to_string())
    }
}

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
        key: veil_prover::ProvingSystem,
        /// The proof's system.
        proof: veil_prover::ProvingSystem,
    },
    /// Not the statement's number of public inputs.
    #[error("expected {expected} public inputs, got {got}")]
    InputCount {
        /// Inputs the key expects.
        expected: usize,
        /// Inputs given.
        got: usize,
    },
}
