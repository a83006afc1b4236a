//! Regulators: escrows opened with a key or t shares, and audits of an
//! exchange's transparency log.

use crate::convert::{json_text, malformed_json, to_python};
use crate::errors::{err, run, to_py, AuditFailedError};
use pyo3::prelude::*;
use std::path::Path;
use veil_audit::audit::{policy_keys, StateError};
use veil_audit::threshold::RegulatorShare;
use veil_audit::{AuditOptions, AuditorState, Decryptor, TransparencyLog};
use veil_bindings_core::{BindingError, ErrorCode};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::PolicyJson;

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
pub fn decrypt_escrow(
    py: Python<'_>,
    public: &Bound<'_, PyAny>,
    key: Option<&Bound<'_, PyAny>>,
    shares: Option<Vec<Bound<'_, PyAny>>>,
) -> PyResult<String> {
    let public = json_text(public, "public")?;
    let decryptor = decryptor(key, shares)?;
    run(py, || {
        let (c1, ct) = veil_bindings_core::verify::read_public(&public)?
            .escrow()
            .map_err(|e| BindingError::malformed("public: escrow_c1", e))?;
        decryptor
            .open(&c1, ct)
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
pub fn audit(
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
        let saved: Option<AuditorState> = state_text
            .as_deref()
            .map(|t| malformed_json(t, "state"))
            .transpose()?;
        let (state, _) = AuditorState::resume(saved, log_id.as_deref(), &source).map_err(|e| {
            err(
                match e {
                    StateError::OtherLog { .. } => ErrorCode::MalformedInput,
                    StateError::Source(_) => ErrorCode::Io,
                },
                e.to_string(),
            )
        })?;
        let policies = policy_texts
            .iter()
            .map(|text| {
                malformed_json::<PolicyJson>(text, "policies[]")?
                    .to_policy()
                    .map_err(|e| BindingError::malformed("policies[]", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let map = policy_keys(&policies).map_err(|e| BindingError::malformed("policies[]", e))?;
        let options = AuditOptions {
            decryptor: decryptor.as_ref(),
            policies: map,
            chunk: 1024,
            max_head_age_ms: Some(veil_audit::audit::DEFAULT_MAX_HEAD_AGE_MS),
            checker: None,
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
