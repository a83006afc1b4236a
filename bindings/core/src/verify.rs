//! Verification and decoding for exchanges and regulators: snarkjs JSON in,
//! verdicts and named values out.

use crate::error::{BindingError, ErrorCode};
use serde::Serialize;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::PublicInputs;
use veil_system::{Proof, VerifyingKey, VerifyingKeyError};
use veil_verifier::evm::Calldata;
use veil_verifier::snarkjs::{self, ProofJson};
use veil_verifier::{PreparedKey, SystemKey, VerifyError};

/// A verifying key from either of veil's forms: a `compliance.vk` key file
/// (checked against this build's circuit) or snarkjs's
/// `verification_key.json`.
pub fn verifying_key_from_bytes(bytes: &[u8]) -> Result<VerifyingKey, BindingError> {
    veil_system::groth16_verifying_key_from_bytes(bytes).map_err(|e| match e {
        VerifyingKeyError::KeyFile(e) => {
            BindingError::new(ErrorCode::InvalidKey, format!("verifying key: {e}"))
        }
        VerifyingKeyError::Snarkjs(e) => BindingError::malformed("verifying key", e),
    })
}

/// The proof and its public inputs from snarkjs's `proof.json` and
/// `public.json`, every value checked.
pub fn read_proof(
    proof_json: &str,
    public_json: &str,
) -> Result<(Proof, PublicInputs), BindingError> {
    let proof =
        snarkjs::proof_from_str(proof_json).map_err(|e| BindingError::malformed("proof", e))?;
    Ok((proof, read_public(public_json)?))
}

/// The ten public inputs from snarkjs's `public.json`.
pub fn read_public(public_json: &str) -> Result<PublicInputs, BindingError> {
    let inputs =
        snarkjs::public_from_str(public_json).map_err(|e| BindingError::malformed("public", e))?;
    PublicInputs::from_slice(&inputs).ok_or_else(|| {
        BindingError::malformed(
            "public",
            format!("expected 10 public inputs, got {}", inputs.len()),
        )
    })
}

/// Whether the proof verifies under the key: `Ok(false)` for a well-formed
/// proof that does not; an error only for input that cannot be read.
pub fn verify_proof(
    verifying_key: &[u8],
    proof_json: &str,
    public_json: &str,
) -> Result<bool, BindingError> {
    let vk = verifying_key_from_bytes(verifying_key)?;
    let (proof, public) = read_proof(proof_json, public_json)?;
    let key = PreparedKey::new(&vk)
        .map_err(|e| BindingError::new(ErrorCode::InvalidKey, e.to_string()))?;
    match key.verify(&proof, &public.to_vec()) {
        Ok(()) => Ok(true),
        Err(VerifyError::Rejected) => Ok(false),
        Err(e) => Err(BindingError::new(ErrorCode::InvalidKey, e.to_string())),
    }
}

/// Whether a proof of either system verifies under the keys at `keys`: a
/// Groth16 key file (`compliance.vk`, `verification_key.json`) or a halo2
/// keys directory (or a file in it; `halo2.vk` says so), as `veil verify
/// --vk` reads them. The proof's `proof.json` names its system (snarkjs's is
/// Groth16); a proof of the other system than the keys is malformed input.
/// `Ok(false)` for a well-formed proof that does not verify. halo2 keys need
/// the `halo2` feature (the Python and C bindings have it, the browser
/// package does not).
pub fn verify_proof_with_keys(
    keys: &std::path::Path,
    proof_json: &str,
    public_json: &str,
) -> Result<bool, BindingError> {
    let invalid_key = |e: &dyn std::fmt::Display| {
        BindingError::new(ErrorCode::InvalidKey, format!("{}: {e}", keys.display()))
    };
    let loaded = veil_system::load_verifier_keys(veil_system::key_system(keys), keys)
        .map_err(|e| invalid_key(&e))?;
    let key = SystemKey::from_keys(loaded).map_err(|e| invalid_key(&e))?;
    let proof = veil_system::proof_from_json(proof_json)
        .map_err(|e| BindingError::malformed("proof", e))?;
    let public = read_public(public_json)?;
    match key.verify_statement(&proof, &public) {
        Ok(()) => Ok(true),
        Err(VerifyError::Rejected) => Ok(false),
        Err(e @ VerifyError::WrongSystem { .. }) => Err(BindingError::malformed("proof", e)),
        Err(e) => Err(invalid_key(&e)),
    }
}

/// The statement's ten public inputs by name, as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedInputs {
    /// Hash of the verifier's policy.
    pub policy_hash: String,
    /// Root of the trusted-issuer tree.
    pub issuers_root: String,
    /// Root of the revocation tree.
    pub revocation_root: String,
    /// The day proved for (days since 1970-01-01).
    pub today: String,
    /// The nullifier's scope (the verifier).
    pub scope: String,
    /// The payment the proof is bound to.
    pub payment_hash: String,
    /// One per holder and scope: spots a second use.
    pub nullifier: String,
    /// The escrow's `c1`, x.
    pub escrow_c1_x: String,
    /// The escrow's `c1`, y.
    pub escrow_c1_y: String,
    /// The escrowed credential id, encrypted to the regulator.
    pub escrow_ct: String,
}

impl NamedInputs {
    /// The names of `public`.
    pub fn new(public: &PublicInputs) -> Self {
        let d = field_to_decimal;
        NamedInputs {
            policy_hash: d(&public.policy_hash),
            issuers_root: d(&public.issuers_root),
            revocation_root: d(&public.revocation_root),
            today: d(&public.today),
            scope: d(&public.scope),
            payment_hash: d(&public.payment_hash),
            nullifier: d(&public.nullifier),
            escrow_c1_x: d(&public.escrow_c1.0),
            escrow_c1_y: d(&public.escrow_c1.1),
            escrow_ct: d(&public.escrow_ct),
        }
    }
}

/// A proof read and checked: its canonical snarkjs form, its inputs by name,
/// and the calldata an EVM verifier takes.
#[derive(Debug, Clone, Serialize)]
pub struct DecodedProof {
    /// The proof, re-encoded canonically.
    pub proof: ProofJson,
    /// The public inputs by name.
    pub public: NamedInputs,
    /// `verifyProof` arguments as snarkjs's `generatecall` prints them.
    pub calldata: String,
    /// The same arguments ABI-encoded, `0x`-hex.
    pub calldata_abi: String,
}

/// Reads a proof and its public inputs (every point checked on its curve and
/// subgroup, every number canonical) without verifying it.
pub fn decode_proof(proof_json: &str, public_json: &str) -> Result<DecodedProof, BindingError> {
    let (proof, public) = read_proof(proof_json, public_json)?;
    let calldata = Calldata::new(&proof, &public.to_vec());
    let abi: String = calldata
        .to_abi_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(DecodedProof {
        proof: ProofJson::from_proof(&proof),
        public: NamedInputs::new(&public),
        calldata: calldata.to_snarkjs_string(),
        calldata_abi: format!("0x{abi}"),
    })
}
