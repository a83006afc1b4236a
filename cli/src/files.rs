//! Reading and writing the CLI's files, with the path in every error.

use anyhow::{Context, Result};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};
use veil_circuits::statement::files::DocumentError;
pub use veil_system::keys_dir::{PROVING_KEY, VERIFYING_KEY, VERIFYING_KEY_JSON};
use veil_system::VerifyingKey;

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

/// Creates `dir` if needed and returns `dir/name`.
pub fn in_dir(dir: &Path, name: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join(name))
}

/// A Groth16 verifying key from a veil key file (shape checked) or snarkjs
/// JSON.
pub fn load_any_verifying_key(path: &Path) -> Result<VerifyingKey> {
    Ok(veil_system::load_groth16_verifying_key(path)?)
}

/// A proof's snarkjs files and what to hold it to: shared by `veil verify`
/// and `veil remote verify`.
#[derive(clap::Args)]
pub struct ProofToCheck {
    /// proof.json.
    #[arg(long, default_value = "proof/proof.json")]
    pub proof: PathBuf,
    /// public.json.
    #[arg(long, default_value = "proof/public.json")]
    pub public: PathBuf,
    /// Require the proof to be for this policy.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Require the proof to be for this payment context.
    #[arg(long)]
    pub context: Option<PathBuf>,
}

/// Writes a JSON document only its owner can read (keys, shares, nonces).
pub fn write_private_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    veil_did::signer::file::write_private(path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Reads a comma-separated list of files (`a.json,b.json`), each as JSON.
pub fn read_json_list<T: DeserializeOwned>(list: &[PathBuf]) -> Result<Vec<T>> {
    list.iter().map(|p| read_json(p)).collect()
}
