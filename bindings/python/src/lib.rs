//! `veil._native`: veil for Python, wrapped by the `veil` package.
//!
//! Exchanges verify proofs and W3C credentials and resolve issuers' DIDs;
//! regulators open escrows and audit an exchange's transparency log. Inputs
//! are JSON text, `bytes`, or already-parsed Python objects (dicts and
//! lists); outputs are plain dicts. Every failure is a `veil.VeilError`
//! subclass with a `code` shared with the wasm and C bindings; no panic
//! reaches Python (it becomes `veil.InternalError`). Proof verification and
//! audits release the GIL.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use veil_audit::threshold::RegulatorShare;
use veil_audit::{AuditOptions, AuditorState, Decryptor, LogSource, TransparencyLog};
use veil_bindings_core::{guard, BindingError, ErrorCode};
use veil_circuits::babyjubjub::point_from_coords;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{CredentialJson, PolicyJson};
use veil_did::{resolver, vc, Registry};

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

fn to_py(e: BindingError) -> PyErr {
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
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, BindingError> + Send) -> PyResult<T> {
    py.detach(|| guard(f)).map_err(to_py)
}

fn err(code: ErrorCode, message: impl Into<String>) -> BindingError {
    BindingError::new(code, message)
}

/// JSON text from a `str`, UTF-8 `bytes`, or any JSON-serialisable object.
fn json_text(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<String> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .map_err(|_| to_py(BindingError::malformed(argument, "bytes are not UTF-8")));
    }
    let json = value.py().import("json")?;
    json.call_method1("dumps", (value,))
        .and_then(|s| s.extract::<String>())
        .map_err(|e| to_py(BindingError::malformed(argument, e)))
}

/// A serialisable value as Python objects (through JSON).
fn to_python<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let text =
        serde_json::to_string(value).map_err(|e| to_py(err(ErrorCode::Internal, e.to_string())))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

fn malformed_json<T: serde::de::DeserializeOwned>(
    text: &str,
    argument: &str,
) -> Result<T, BindingError> {
    serde_json::from_str(text).map_err(|e| BindingError::malformed(argument, e))
}

/// Verifies a proof of the compliance statement: `True` if it verifies,
/// `False` if it is well-formed but does not. The key is a `compliance.vk`
/// file's bytes or snarkjs's `verification_key.json` (text, bytes or dict).
#[pyfunction]
fn verify_proof(
    py: Python<'_>,
    verification_key: &Bound<'_, PyAny>,
    proof: &Bound<'_, PyAny>,
    public: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let key: Vec<u8> = match verification_key.cast::<PyBytes>() {
        Ok(b) => b.as_bytes().to_vec(),
        Err(_) => json_text(verification_key, "verification_key")?.into_bytes(),
    };
    let proof = json_text(proof, "proof")?;
    let public = json_text(public, "public")?;
    run(py, || {
        veil_bindings_core::verify_proof(&key, &proof, &public)
    })
}

/// Reads snarkjs's `proof.json` and `public.json` (every value checked)
/// without verifying: the canonical proof, the ten public inputs by name, and
/// the EVM verifier's calldata.
#[pyfunction]
fn decode_proof(
    py: Python<'_>,
    proof: &Bound<'_, PyAny>,
    public: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let proof = json_text(proof, "proof")?;
    let public = json_text(public, "public")?;
    let decoded = run(py, || veil_bindings_core::decode_proof(&proof, &public))?;
    to_python(py, &decoded)
}

fn open_registry(path: &str) -> Result<Arc<Registry>, BindingError> {
    let dids = Path::new(path).join("dids");
    let dir = if dids.is_dir() {
        dids
    } else {
        Path::new(path).to_path_buf()
    };
    if !dir.join("CURRENT").is_file() {
        return Err(err(
            ErrorCode::Io,
            format!("{path}: not a did:veil registry"),
        ));
    }
    Registry::open_read_only(&dir)
        .map(Arc::new)
        .map_err(|e| err(ErrorCode::Io, format!("{path}: {e}")))
}

/// Resolves a DID (`did:key` or `did:veil`) against a `did:veil` registry
/// (the `--db` directory of `veil did`, opened read-only). Returns the W3C
/// resolution result: `didDocument`, `didDocumentMetadata`.
#[pyfunction]
#[pyo3(signature = (registry, did, version=None))]
fn resolve_did(
    py: Python<'_>,
    registry: &str,
    did: &str,
    version: Option<u64>,
) -> PyResult<Py<PyAny>> {
    let resolution = run(py, || {
        let r = open_registry(registry)?;
        r.resolve(did, version).map_err(|e| {
            err(
                ErrorCode::DidNotResolved,
                format!("{did}: {} ({e})", e.code()),
            )
        })
    })?;
    to_python(
        py,
        &serde_json::json!({
            "didDocument": resolution.did_document,
            "didDocumentMetadata": resolution.did_document_metadata,
        }),
    )
}

/// Days since 1970-01-01 from an `int`, a `datetime.date`, or now.
fn day(value: Option<&Bound<'_, PyAny>>) -> PyResult<u32> {
    let Some(v) = value else {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return Ok((seconds / 86_400) as u32);
    };
    if let Ok(days) = v.extract::<u32>() {
        return Ok(days);
    }
    // date.toordinal() counts from 0001-01-01 = 1; 1970-01-01 is 719163.
    let ordinal: i64 = v
        .call_method0("toordinal")
        .and_then(|o| o.extract())
        .map_err(|_| {
            to_py(BindingError::malformed(
                "today",
                "expected an int (days) or a datetime.date",
            ))
        })?;
    u32::try_from(ordinal - 719_163)
        .map_err(|_| to_py(BindingError::malformed("today", "before 1970-01-01")))
}

fn runtime() -> Result<tokio::runtime::Runtime, BindingError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| err(ErrorCode::Internal, e.to_string()))
}

/// Verifies a W3C credential issued by `veil vc issue`: its Data Integrity
/// proof against the issuer's DID in `registry`, its validity on `today`
/// (days or a `datetime.date`; default now), the ZK signature over the same
/// claims, and, with `status_list`, that it is not revoked. Returns the
/// issuer, the format, and the ZK credential a wallet proves with.
#[pyfunction]
#[pyo3(signature = (credential, registry, today=None, status_list=None))]
fn verify_credential(
    py: Python<'_>,
    credential: &Bound<'_, PyAny>,
    registry: &str,
    today: Option<&Bound<'_, PyAny>>,
    status_list: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let text = json_text(credential, "credential")?;
    let list = status_list
        .map(|l| json_text(l, "status_list"))
        .transpose()?;
    let today = day(today)?;
    let verified = run(py, || {
        let resolver = resolver(open_registry(registry)?);
        let rt = runtime()?;
        let invalid = |e: veil_did::VcError| err(ErrorCode::CredentialInvalid, e.to_string());
        let verified = rt
            .block_on(vc::verify(&resolver, &text, today))
            .map_err(invalid)?;
        if let Some(list) = &list {
            rt.block_on(vc::check_status(&resolver, &verified, list))
                .map_err(invalid)?;
        }
        Ok(verified)
    })?;
    to_python(
        py,
        &serde_json::json!({
            "issuer": verified.issuer,
            "format": format!("{:?}", verified.format),
            "credential_id": field_to_decimal(&verified.credential.claims.credential_id),
            "credential": CredentialJson::from_credential(&verified.credential),
            "status_checked": list.is_some(),
        }),
    )
}

/// The regulator's decryption power from one key file or t shares.
fn decryptor(
    key: Option<&Bound<'_, PyAny>>,
    shares: Option<Vec<Bound<'_, PyAny>>>,
) -> PyResult<Decryptor> {
    let texts: Vec<String> = match (key, shares) {
        (Some(k), None) => vec![json_text(k, "key")?],
        (None, Some(s)) => s
            .iter()
            .map(|x| json_text(x, "shares[]"))
            .collect::<PyResult<_>>()?,
        _ => {
            return Err(to_py(BindingError::malformed(
                "key",
                "give exactly one of key= or shares=",
            )))
        }
    };
    let single = texts.len() == 1 && key.is_some();
    let shares = texts
        .iter()
        .map(|t| {
            if single {
                let doc = malformed_json(t, "key")?;
                RegulatorShare::from_key(&doc)
                    .map_err(|e| err(ErrorCode::InvalidKey, format!("key: {e}")))
            } else {
                malformed_json::<RegulatorShare>(t, "shares[]")
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(to_py)?;
    Decryptor::new(&shares).map_err(|e| to_py(err(ErrorCode::InvalidKey, e.to_string())))
}

/// Opens the escrow of a proof's public inputs: the credential id (decimal)
/// the wallet encrypted to the regulator. Give the regulator's key file
/// (`key=`) or t of its officials' shares (`shares=`).
#[pyfunction]
#[pyo3(signature = (public, key=None, shares=None))]
fn decrypt_escrow(
    py: Python<'_>,
    public: &Bound<'_, PyAny>,
    key: Option<&Bound<'_, PyAny>>,
    shares: Option<Vec<Bound<'_, PyAny>>>,
) -> PyResult<String> {
    let public = json_text(public, "public")?;
    let decryptor = decryptor(key, shares)?;
    run(py, || {
        let inputs = veil_bindings_core::verify::read_public(&public)?;
        let (x, y) = inputs.escrow_c1;
        let c1 =
            point_from_coords(x, y).map_err(|e| BindingError::malformed("public: escrow_c1", e))?;
        decryptor
            .open(&c1, inputs.escrow_ct)
            .map(|id| field_to_decimal(&id))
            .map_err(|e| err(ErrorCode::InvalidKey, e.to_string()))
    })
}

/// Audits an exchange's transparency log (its RocksDB directory, opened
/// read-only): signed head, consistency with the last audited head, every
/// entry re-hashed, verifications re-checked, escrows opened with `key=` or
/// `shares=`. Pass the `state` the previous audit returned (or `log_id` to
/// pin a log on the first audit). Returns `{"passed", "report", "state"}`;
/// keep `state` for the next audit. With `raise_on_failure`, a failed audit
/// raises `AuditFailedError` instead.
#[pyfunction]
#[pyo3(signature = (log, state=None, log_id=None, key=None, shares=None, policies=None, raise_on_failure=false))]
#[allow(clippy::too_many_arguments)]
fn audit(
    py: Python<'_>,
    log: &str,
    state: Option<&Bound<'_, PyAny>>,
    log_id: Option<String>,
    key: Option<&Bound<'_, PyAny>>,
    shares: Option<Vec<Bound<'_, PyAny>>>,
    policies: Option<Vec<Bound<'_, PyAny>>>,
    raise_on_failure: bool,
) -> PyResult<Py<PyAny>> {
    let state_text = state.map(|s| json_text(s, "state")).transpose()?;
    let decryptor = match (key.is_some(), shares.is_some()) {
        (false, false) => None,
        _ => Some(decryptor(key, shares)?),
    };
    let policy_texts: Vec<String> = policies
        .unwrap_or_default()
        .iter()
        .map(|p| json_text(p, "policies[]"))
        .collect::<PyResult<_>>()?;
    let (report, next) = run(py, || {
        let source = TransparencyLog::open_read_only(Path::new(log), None)
            .map_err(|e| err(ErrorCode::Io, format!("{log}: {e}")))?;
        let state: AuditorState = match &state_text {
            Some(t) => malformed_json(t, "state")?,
            None => AuditorState {
                log_id: match &log_id {
                    Some(id) => id.clone(),
                    None => {
                        source
                            .signed_head()
                            .map_err(|e| err(ErrorCode::Io, e.to_string()))?
                            .log_id
                    }
                },
                head: None,
            },
        };
        let mut map = HashMap::new();
        for text in &policy_texts {
            let doc: PolicyJson = malformed_json(text, "policies[]")?;
            let policy = doc
                .to_policy()
                .map_err(|e| BindingError::malformed("policies[]", e))?;
            let hash = policy
                .hash()
                .map_err(|e| BindingError::malformed("policies[]", e))?;
            map.insert(field_to_decimal(&hash), policy.regulator_key.0);
        }
        let options = AuditOptions {
            decryptor: decryptor.as_ref(),
            policies: map,
            chunk: 1024,
        };
        Ok(veil_audit::audit(&source, &state, &options, |_, _| {}))
    })?;
    if raise_on_failure && !report.passed() {
        let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
        return Err(AuditFailedError::new_err(format!(
            "audit failed: {}",
            failures.join("; ")
        )));
    }
    to_python(
        py,
        &serde_json::json!({ "passed": report.passed(), "report": report, "state": next }),
    )
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
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
    m.add_function(wrap_pyfunction!(verify_proof, m)?)?;
    m.add_function(wrap_pyfunction!(decode_proof, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_did, m)?)?;
    m.add_function(wrap_pyfunction!(verify_credential, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt_escrow, m)?)?;
    m.add_function(wrap_pyfunction!(audit, m)?)?;
    Ok(())
}
