//! One taxonomy of errors for every binding.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// What kind of failure a binding reports. The string form is what JS sees as
/// `error.code` and Python as `exc.code`; the number is the C return code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorCode {
    /// Input that is not of the expected form: bad JSON, a number out of its
    /// field, a point off the curve, truncated bytes.
    MalformedInput = 1,
    /// A key file refused: wrong circuit, bad checksum, wrong kind.
    InvalidKey = 2,
    /// A well-formed proof that does not verify for its public inputs.
    ProofRejected = 3,
    /// The wallet's credential does not meet the statement (the message names
    /// the rule: expired, revoked, under age, …); nothing was proved.
    WitnessRefused = 4,
    /// A W3C credential that does not verify (signature, dates, status).
    CredentialInvalid = 5,
    /// A DID that does not resolve.
    DidNotResolved = 6,
    /// An audit that could not run or found the log inconsistent.
    AuditFailed = 7,
    /// A file or database that could not be read.
    Io = 8,
    /// A bug in veil (a caught panic); report it.
    Internal = 9,
}

impl ErrorCode {
    /// Every code, in number order: for bindings that map each to their
    /// own type, and tests that check they all do.
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::MalformedInput,
        ErrorCode::InvalidKey,
        ErrorCode::ProofRejected,
        ErrorCode::WitnessRefused,
        ErrorCode::CredentialInvalid,
        ErrorCode::DidNotResolved,
        ErrorCode::AuditFailed,
        ErrorCode::Io,
        ErrorCode::Internal,
    ];

    /// The stable string form (`"MALFORMED_INPUT"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedInput => "MALFORMED_INPUT",
            ErrorCode::InvalidKey => "INVALID_KEY",
            ErrorCode::ProofRejected => "PROOF_REJECTED",
            ErrorCode::WitnessRefused => "WITNESS_REFUSED",
            ErrorCode::CredentialInvalid => "CREDENTIAL_INVALID",
            ErrorCode::DidNotResolved => "DID_NOT_RESOLVED",
            ErrorCode::AuditFailed => "AUDIT_FAILED",
            ErrorCode::Io => "IO",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// A failure with its code and a message that names what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BindingError {
    /// The kind of failure.
    pub code: ErrorCode,
    /// What failed, for people.
    pub message: String,
}

impl BindingError {
    /// An error of `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        BindingError {
            code,
            message: message.into(),
        }
    }

    /// Bad input, prefixed with the argument it came in.
    pub fn malformed(argument: &str, cause: impl std::fmt::Display) -> Self {
        BindingError::new(ErrorCode::MalformedInput, format!("{argument}: {cause}"))
    }
}

/// Runs `f`, turning a panic into [`ErrorCode::Internal`] so that it never
/// unwinds into a host runtime (on wasm32, where Rust cannot unwind, a panic
/// traps instead).
pub fn guard<T>(f: impl FnOnce() -> Result<T, BindingError>) -> Result<T, BindingError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(BindingError::new(
                ErrorCode::Internal,
                format!("internal error in veil (please report): {what}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let err = guard::<()>(|| panic!("boom")).unwrap_err();
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(err.message.contains("boom"), "{}", err.message);
    }

    #[test]
    fn codes_are_distinct() {
        let all = ErrorCode::ALL;
        let names: std::collections::HashSet<_> = all.iter().map(|c| c.as_str()).collect();
        let numbers: std::collections::HashSet<_> = all.iter().map(|c| *c as i32).collect();
        assert_eq!(names.len(), all.len());
        assert_eq!(numbers.len(), all.len());
        assert!(!numbers.contains(&0), "0 is success in C");
    }
}
