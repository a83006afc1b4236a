//! Python values to veil's JSON and back.

use crate::errors::{err, to_py};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use veil_bindings_core::{BindingError, ErrorCode};
use veil_circuits::day::Day;

/// JSON text from a `str`, UTF-8 `bytes`, or any JSON-serialisable object.
pub fn json_text(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<String> {
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
pub fn to_python<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let text =
        serde_json::to_string(value).map_err(|e| to_py(err(ErrorCode::Internal, e.to_string())))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

pub fn malformed_json<T: serde::de::DeserializeOwned>(
    text: &str,
    argument: &str,
) -> Result<T, BindingError> {
    serde_json::from_str(text).map_err(|e| BindingError::malformed(argument, e))
}

/// Days since 1970-01-01 from an `int`, a `datetime.date` (read through
/// its ISO form, so the calendar is veil's one [`Day`]), or today.
pub fn day(value: Option<&Bound<'_, PyAny>>) -> PyResult<u32> {
    let Some(v) = value else {
        return Ok(Day::today().into());
    };
    if let Ok(days) = v.extract::<u32>() {
        return Ok(days);
    }
    let iso: String = v
        .call_method0("isoformat")
        .and_then(|o| o.extract())
        .map_err(|_| {
            to_py(BindingError::malformed(
                "today",
                "expected an int (days) or a datetime.date",
            ))
        })?;
    // A `datetime.datetime` is a date too: its day is before the `T`.
    let date = iso.split('T').next().unwrap_or_default();
    Day::parse_iso(date)
        .map(u32::from)
        .map_err(|e| to_py(BindingError::malformed("today", e)))
}
