//! veil's C ABI: an exchange's or regulator's C or C++ code verifies proofs
//! of the compliance statement, reads snarkjs JSON and opens escrows without
//! a Rust toolchain.
//!
//! Conventions (see `include/veil.h`):
//! - every function returns a status: [`VEIL_OK`] (0) or one of the
//!   `VEIL_ERR_*` codes, and [`veil_last_error`] gives the message of the
//!   last failure on the calling thread;
//! - strings in are NUL-terminated UTF-8; strings out are allocated by veil
//!   and released with [`veil_string_free`];
//! - no panic crosses the boundary: one becomes [`VEIL_ERR_INTERNAL`].
//!
//! The status values are veil's shared error codes
//! (`veil_bindings_core::ErrorCode`), written as literals so that cbindgen
//! can put them in the header; a test holds them equal.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use veil_bindings_core::{guard, BindingError, ErrorCode};

/// Success.
pub const VEIL_OK: i32 = 0;
/// Input not of the expected form (bad JSON, number out of range, point off
/// the curve, a NULL pointer, text that is not UTF-8).
pub const VEIL_ERR_MALFORMED_INPUT: i32 = 1;
/// A key file refused (another circuit, bad checksum).
pub const VEIL_ERR_INVALID_KEY: i32 = 2;
/// A well-formed proof that does not verify for its public inputs.
pub const VEIL_ERR_PROOF_REJECTED: i32 = 3;
/// A bug in veil (a caught panic).
pub const VEIL_ERR_INTERNAL: i32 = 9;

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn remember(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = Some(text));
}

/// Runs `f` behind the panic guard and turns its result into a status.
fn status(f: impl FnOnce() -> Result<(), BindingError>) -> i32 {
    LAST_ERROR.with(|last| *last.borrow_mut() = None);
    match guard(f) {
        Ok(()) => VEIL_OK,
        Err(e) => {
            remember(&e.message);
            e.code as i32
        }
    }
}

/// A borrowed NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for the call.
unsafe fn text<'a>(ptr: *const c_char, argument: &str) -> Result<&'a str, BindingError> {
    if ptr.is_null() {
        return Err(BindingError::malformed(argument, "NULL pointer"));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|_| BindingError::malformed(argument, "not UTF-8"))
}

/// Hands `value` to the caller through `out`.
///
/// # Safety
/// `out` is NULL or a valid pointer to write a `char *` to.
unsafe fn give(out: *mut *mut c_char, value: String) -> Result<(), BindingError> {
    if out.is_null() {
        return Err(BindingError::malformed("out", "NULL pointer"));
    }
    let c =
        CString::new(value).map_err(|e| BindingError::new(ErrorCode::Internal, e.to_string()))?;
    *out = c.into_raw();
    Ok(())
}

/// Verifies a proof of the compliance statement.
///
/// `verifying_key` is a `compliance.vk` key file or snarkjs's
/// `verification_key.json` (`verifying_key_len` bytes); `proof_json` and
/// `public_json` are snarkjs's `proof.json` and `public.json`. Returns
/// `VEIL_OK` when the proof verifies, `VEIL_ERR_PROOF_REJECTED` when it is
/// well-formed but does not, and another code when the input cannot be read.
///
/// # Safety
/// `verifying_key` points to `verifying_key_len` readable bytes; the strings
/// are NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn veil_verify(
    verifying_key: *const u8,
    verifying_key_len: usize,
    proof_json: *const c_char,
    public_json: *const c_char,
) -> i32 {
    status(|| {
        if verifying_key.is_null() {
            return Err(BindingError::malformed("verifying_key", "NULL pointer"));
        }
        let key = std::slice::from_raw_parts(verifying_key, verifying_key_len);
        let proof = text(proof_json, "proof_json")?;
        let public = text(public_json, "public_json")?;
        if veil_bindings_core::verify_proof(key, proof, public)? {
            Ok(())
        } else {
            Err(BindingError::new(
                ErrorCode::ProofRejected,
                "the proof does not verify for these public inputs",
            ))
        }
    })
}

/// Verifies a proof of either system against the keys at `keys_path`: a
/// Groth16 key file (`compliance.vk`, `verification_key.json`) or a halo2
/// keys directory (or a file in it), as `veil verify --vk` reads them.
/// `proof_json` names its system (snarkjs's is Groth16); `public_json` is
/// `public.json`. Returns `VEIL_OK` when the proof verifies,
/// `VEIL_ERR_PROOF_REJECTED` when it is well-formed but does not,
/// `VEIL_ERR_MALFORMED_INPUT` for a proof of the other system than the keys,
/// and another code when the input cannot be read.
///
/// # Safety
/// The strings are NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn veil_verify_with_keys(
    keys_path: *const c_char,
    proof_json: *const c_char,
    public_json: *const c_char,
) -> i32 {
    status(|| {
        let keys = text(keys_path, "keys_path")?;
        let proof = text(proof_json, "proof_json")?;
        let public = text(public_json, "public_json")?;
        if veil_bindings_core::verify_proof_with_keys(std::path::Path::new(keys), proof, public)? {
            Ok(())
        } else {
            Err(BindingError::new(
                ErrorCode::ProofRejected,
                "the proof does not verify for these public inputs",
            ))
        }
    })
}

/// Reads a proof and its public inputs without verifying them, and writes a
/// JSON object to `*out_json`: `proof` (canonical snarkjs form), `public`
/// (the ten inputs by name), `calldata` and `calldata_abi` (the EVM
/// verifier's arguments). Free it with `veil_string_free`.
///
/// # Safety
/// The strings are NUL-terminated; `out_json` is a valid pointer.
#[no_mangle]
pub unsafe extern "C" fn veil_decode_proof(
    proof_json: *const c_char,
    public_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    status(|| {
        let decoded = veil_bindings_core::decode_proof(
            text(proof_json, "proof_json")?,
            text(public_json, "public_json")?,
        )?;
        let json = serde_json::to_string(&decoded)
            .map_err(|e| BindingError::new(ErrorCode::Internal, e.to_string()))?;
        give(out_json, json)
    })
}

/// The message of the last failure on this thread, or NULL after a success.
/// Valid until the next veil call on this thread; do not free it.
#[no_mangle]
pub extern "C" fn veil_last_error() -> *const c_char {
    LAST_ERROR.with(|last| {
        last.borrow()
            .as_ref()
            .map_or(std::ptr::null(), |m| m.as_ptr())
    })
}

/// The name of a status (`"OK"`, `"MALFORMED_INPUT"`, …); static, never NULL.
#[no_mangle]
pub extern "C" fn veil_status_name(status: i32) -> *const c_char {
    let name: &'static CStr = match status {
        VEIL_OK => c"OK",
        VEIL_ERR_MALFORMED_INPUT => c"MALFORMED_INPUT",
        VEIL_ERR_INVALID_KEY => c"INVALID_KEY",
        VEIL_ERR_PROOF_REJECTED => c"PROOF_REJECTED",
        VEIL_ERR_INTERNAL => c"INTERNAL",
        _ => c"UNKNOWN",
    };
    name.as_ptr()
}

/// Releases a string veil returned. NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string from a veil function, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn veil_string_free(s: *mut c_char) {
    if !s.is_null() {
        drop(CString::from_raw(s));
    }
}

/// veil's version, e.g. `"0.1.0"`; static.
#[no_mangle]
pub extern "C" fn veil_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_the_shared_codes() {
        assert_eq!(VEIL_ERR_MALFORMED_INPUT, ErrorCode::MalformedInput as i32);
        assert_eq!(VEIL_ERR_INVALID_KEY, ErrorCode::InvalidKey as i32);
        assert_eq!(VEIL_ERR_PROOF_REJECTED, ErrorCode::ProofRejected as i32);
        assert_eq!(VEIL_ERR_INTERNAL, ErrorCode::Internal as i32);
    }

    #[test]
    fn status_names_match_the_shared_codes() {
        for code in [
            ErrorCode::MalformedInput,
            ErrorCode::InvalidKey,
            ErrorCode::ProofRejected,
            ErrorCode::Internal,
        ] {
            let name = unsafe { CStr::from_ptr(veil_status_name(code as i32)) };
            assert_eq!(name.to_str().unwrap(), code.as_str());
        }
    }

    #[test]
    fn null_arguments_are_errors_not_crashes() {
        let rc = unsafe { veil_verify(std::ptr::null(), 0, std::ptr::null(), std::ptr::null()) };
        assert_eq!(rc, VEIL_ERR_MALFORMED_INPUT);
        let message = unsafe { CStr::from_ptr(veil_last_error()) };
        assert!(message.to_str().unwrap().contains("NULL"));
        let rc = unsafe { veil_decode_proof(c"{}".as_ptr(), c"[]".as_ptr(), std::ptr::null_mut()) };
        assert_eq!(rc, VEIL_ERR_MALFORMED_INPUT);
    }
}
