//! Regulators: audits of an exchange's transparency log. An audit opens no
//! escrow; opening is a logged disclosure (`veil regulator disclose`,
//! `release`, `open`), which no binding offers a way around.

use crate::convert::{json_text, malformed_json, to_python};
use crate::errors::{err, run, AuditFailedError};
use pyo3::prelude::*;
use std::path::Path;
use veil_audit::audit::StateError;
use veil_audit::{AuditOptions, AuditorState, TransparencyLog};
use veil_bindings_core::ErrorCode;

/// Audits an exchange's transparency log (its RocksDB directory, opened
/// read-only): signed head, consistency with the last audited head, every
/// entry re-hashed; no escrow is opened. Pass the `state` the previous
/// audit returned (or `log_id` to
/// pin a log on the first audit). Returns `{"passed", "report", "state"}`;
/// keep `state` for the next audit. With `raise_on_failure`, a failed audit
/// raises `AuditFailedError` instead.
#[pyfunction]
#[pyo3(signature = (log, state=None, log_id=None, raise_on_failure=false))]
pub fn audit(
    py: Python<'_>,
    log: &str,
    state: Option<&Bound<'_, PyAny>>,
    log_id: Option<String>,
    raise_on_failure: bool,
) -> PyResult<Py<PyAny>> {
    let state_text = state.map(|s| json_text(s, "state")).transpose()?;
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
        let options = AuditOptions {
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
