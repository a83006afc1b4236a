//! `veil._native`: veil for Python, wrapped by the `veil` package.
//!
//! Exchanges verify proofs and W3C credentials and resolve issuers' DIDs;
//! regulators open escrows and audit an exchange's transparency log. Inputs
//! are JSON text, `bytes`, or already-parsed Python objects (dicts and
//! lists); outputs are plain dicts. Every failure is a `veil.VeilError`
//! subclass with a `code` shared with the wasm and C bindings; no panic
//! reaches Python (it becomes `veil.InternalError`). Proof verification and
//! audits release the GIL.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

mod convert;
mod errors;
mod identity;
mod regulator;

use convert::{json_text, to_python};
use errors::run;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

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

/// Whether a proof of either system verifies under the keys at
/// `keys_path`: a Groth16 key file (`compliance.vk`,
/// `verification_key.json`) or a halo2 keys directory, as `veil verify --vk`
/// reads them. The proof's JSON names its system; one of the other system
/// than the keys raises `MalformedInput`.
#[pyfunction]
fn verify_proof_with_keys(
    py: Python<'_>,
    keys_path: std::path::PathBuf,
    proof: &Bound<'_, PyAny>,
    public: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let proof = json_text(proof, "proof")?;
    let public = json_text(public, "public")?;
    run(py, || {
        veil_bindings_core::verify_proof_with_keys(&keys_path, &proof, &public)
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

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(verify_proof, m)?)?;
    m.add_function(wrap_pyfunction!(verify_proof_with_keys, m)?)?;
    m.add_function(wrap_pyfunction!(decode_proof, m)?)?;
    m.add_function(wrap_pyfunction!(identity::resolve_did, m)?)?;
    m.add_function(wrap_pyfunction!(identity::verify_credential, m)?)?;
    m.add_function(wrap_pyfunction!(regulator::audit, m)?)?;
    Ok(())
}
