//! Reading and writing the CLI's files, with the path in every error: the
//! documents' own readers and writers (`veil_circuits::statement::files`) and
//! the CLI's few additions.

pub use veil_circuits::statement::files::{
    public_key_of, read_document, read_json, read_text, write_json, write_private_json, write_text,
};

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
pub use veil_system::keys_dir::{PROVING_KEY, VERIFYING_KEY, VERIFYING_KEY_JSON};
use veil_system::VerifyingKey;

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

/// Reads a comma-separated list of files (`a.json,b.json`), each as JSON.
pub fn read_json_list<T: DeserializeOwned>(list: &[PathBuf]) -> Result<Vec<T>> {
    Ok(list
        .iter()
        .map(|p| read_json(p))
        .collect::<Result<_, _>>()?)
}
