//! Why bytes or JSON from outside were refused: one error type for every
//! decoder of proofs, public inputs and keys in this crate.

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
    /// A number that is not canonical in its field, naming the value
    /// (`pi_a[0]`, `public[3]`): for decoders of other formats (EVM calldata).
    pub fn number(field: impl Into<String>, source: veil_circuits::encoding::DecodeError) -> Self {
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
