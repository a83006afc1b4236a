//! Reading and writing a command-line tool's files, with the path in every
//! error (the `veil` CLI uses these too).

use anyhow::{Context, Result};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use veil_circuits::statement::files::DocumentError;

/// Reads a JSON document.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = read_text(path)?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a valid document", path.display()))
}

/// Reads a JSON document and converts it to its checked type, naming the
/// file in any error.
pub fn read_document<T: DeserializeOwned, U>(
    path: &Path,
    convert: impl FnOnce(&T) -> Result<U, DocumentError>,
) -> Result<U> {
    convert(&read_json::<T>(path)?).with_context(|| format!("{}", path.display()))
}

/// Reads a text file.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes a JSON document (pretty, newline-terminated).
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_text(path, &text)
}

/// Writes a text file.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a JSON document readable by its owner only (keys, shares).
pub fn write_private_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    veil_did::keys::write_private(path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}
