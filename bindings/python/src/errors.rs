//! veil's errors as Python exception classes, each carrying its shared code.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use veil_bindings_core::{guard, BindingError, ErrorCode};

create_exception!(
    veil,
    VeilError,
    PyException,
    "Base of every veil error; `code` names the kind."
);
create_exception!(
    veil,
    MalformedInputError,
    VeilError,
    "Input not of the expected form."
);
create_exception!(
    veil,
    InvalidKeyError,
    VeilError,
    "A key, key file or set of shares refused."
);
create_exception!(
    veil,
    ProofRejectedError,
    VeilError,
    "A well-formed proof that does not verify."
);
create_exception!(
    veil,
    WitnessRefusedError,
    VeilError,
    "A credential that does not meet the statement."
);
create_exception!(
    veil,
    CredentialInvalidError,
    VeilError,
    "A W3C credential that does not verify."
);
create_exception!(
    veil,
    DidNotResolvedError,
    VeilError,
    "A DID that does not resolve."
);
create_exception!(
    veil,
    AuditFailedError,
    VeilError,
    "An audit that found problems."
);
create_exception!(
    veil,
    StorageError,
    VeilError,
    "A file or database that could not be read."
);
create_exception!(
    veil,
    InternalError,
    VeilError,
    "A bug in veil; please report it."
);

pub fn to_py(e: BindingError) -> PyErr {
    let message = e.message;
    match e.code {
        ErrorCode::MalformedInput => MalformedInputError::new_err(message),
        ErrorCode::InvalidKey => InvalidKeyError::new_err(message),
        ErrorCode::ProofRejected => ProofRejectedError::new_err(message),
        ErrorCode::WitnessRefused => WitnessRefusedError::new_err(message),
        ErrorCode::CredentialInvalid => CredentialInvalidError::new_err(message),
        ErrorCode::DidNotResolved => DidNotResolvedError::new_err(message),
        ErrorCode::AuditFailed => AuditFailedError::new_err(message),
        ErrorCode::Io => StorageError::new_err(message),
        ErrorCode::Internal => InternalError::new_err(message),
    }
}

/// Runs `f` (without the GIL) behind the panic guard.
pub fn run<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, BindingError> + Send,
) -> PyResult<T> {
    py.detach(|| guard(f)).map_err(to_py)
}

pub fn err(code: ErrorCode, message: impl Into<String>) -> BindingError {
    BindingError::new(code, message)
}

/// Adds the exception classes to the module, each with its `code`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    for (name, class, code) in [
        ("VeilError", py.get_type::<VeilError>(), None),
        (
            "MalformedInputError",
            py.get_type::<MalformedInputError>(),
            Some(ErrorCode::MalformedInput),
        ),
        (
            "InvalidKeyError",
            py.get_type::<InvalidKeyError>(),
            Some(ErrorCode::InvalidKey),
        ),
        (
            "ProofRejectedError",
            py.get_type::<ProofRejectedError>(),
            Some(ErrorCode::ProofRejected),
        ),
        (
            "WitnessRefusedError",
            py.get_type::<WitnessRefusedError>(),
            Some(ErrorCode::WitnessRefused),
        ),
        (
            "CredentialInvalidError",
            py.get_type::<CredentialInvalidError>(),
            Some(ErrorCode::CredentialInvalid),
        ),
        (
            "DidNotResolvedError",
            py.get_type::<DidNotResolvedError>(),
            Some(ErrorCode::DidNotResolved),
        ),
        (
            "AuditFailedError",
            py.get_type::<AuditFailedError>(),
            Some(ErrorCode::AuditFailed),
        ),
        (
            "StorageError",
            py.get_type::<StorageError>(),
            Some(ErrorCode::Io),
        ),
        (
            "InternalError",
            py.get_type::<InternalError>(),
            Some(ErrorCode::Internal),
        ),
    ] {
        class.setattr("code", code.map(ErrorCode::as_str))?;
        m.add(name, class)?;
    }
    Ok(())
}
