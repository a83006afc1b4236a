//! Proving for wallets: a proving key loaded once, then one JSON request per
//! payment.

use crate::error::{BindingError, ErrorCode};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{
    CredentialJson, DocumentError, HolderJson, IssuerListJson, PaymentContextJson, PolicyJson,
    RevocationListJson,
};
use veil_circuits::statement::{escrow_randomness, ComplianceWitness, Registry};
use veil_prover::keys::KeyPin;
use veil_prover::{LoadError, Prover};
use veil_verifier::evm::Calldata;
use veil_verifier::snarkjs::ProofJson;

/// Everything a wallet proves from, as the JSON documents `veil` writes:
/// its credential and holder secret, the verifier's policy and payment
/// context, and the registry's lists. The wallet builds the Merkle paths
/// itself from the lists, so it never tells a server which credential it
/// holds (asking for a revocation path would).
#[derive(Debug, Clone, Deserialize)]
pub struct ProveRequest {
    /// `credential.json` (`veil issue`).
    pub credential: CredentialJson,
    /// `holder.json` (`veil holder keygen`).
    pub holder: HolderJson,
    /// `policy.json` (`veil policy new`).
    pub policy: PolicyJson,
    /// The payment context: day, scope, payment hash.
    pub context: PaymentContextJson,
    /// The trusted-issuer list, in tree order.
    pub issuers: IssuerListJson,
    /// The revoked credential ids, in revocation (tree) order.
    pub revoked: RevocationListJson,
}

/// A proof in the forms its consumers take: snarkjs's `proof.json` and
/// `public.json`, and the calldata of the on-chain verifier.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofBundle {
    /// snarkjs `proof.json`.
    pub proof: ProofJson,
    /// snarkjs `public.json`: the ten public inputs, decimal.
    pub public_signals: Vec<String>,
    /// `verifyProof` arguments as snarkjs's `generatecall` prints them.
    pub calldata: String,
}

fn document(field: &str, e: DocumentError) -> BindingError {
    BindingError::malformed(field, e)
}

impl ProveRequest {
    /// Parses a request; the message names the document and field that failed.
    pub fn from_json(json: &str) -> Result<Self, BindingError> {
        serde_json::from_str(json).map_err(|e| BindingError::malformed("request", e))
    }

    /// The statement's witness for this request, with fresh escrow
    /// randomness: every document decoded, the lists built into their
    /// trees, and the credential checked against every rule (a refusal
    /// names the rule, [`ErrorCode::WitnessRefused`]).
    pub fn witness<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Result<ComplianceWitness, BindingError> {
        let credential = self
            .credential
            .to_credential()
            .map_err(|e| document("credential", e))?;
        let holder = self.holder.to_secret().map_err(|e| document("holder", e))?;
        let policy = self.policy.to_policy().map_err(|e| document("policy", e))?;
        let context = self
            .context
            .to_context()
            .map_err(|e| document("context", e))?;
        let issuers = self.issuers.to_keys().map_err(|e| document("issuers", e))?;
        let revoked = self.revoked.to_ids().map_err(|e| document("revoked", e))?;
        let registry = Registry::new(&issuers, &revoked)
            .map_err(|e| BindingError::malformed("registry", e))?;
        registry
            .witness(credential, holder, policy, context, escrow_randomness(rng))
            .map_err(|e| BindingError::new(ErrorCode::WitnessRefused, format!("cannot prove: {e}")))
    }
}

fn load_error(e: LoadError) -> BindingError {
    match e {
        LoadError::KeyFile(k) => {
            BindingError::new(ErrorCode::InvalidKey, format!("proving key: {k}"))
        }
        other => BindingError::new(ErrorCode::Internal, other.to_string()),
    }
}

/// A proving key loaded and checked against the circuit, ready to prove many
/// times (loading costs more than one proof).
pub struct WalletProver {
    prover: Prover,
}

impl WalletProver {
    /// From the bytes of `compliance.pk`.
    pub fn from_key_file(bytes: &[u8]) -> Result<Self, BindingError> {
        let prover = Prover::from_key_file(bytes).map_err(load_error)?;
        Ok(WalletProver { prover })
    }

    /// From the bytes of the `compliance.pk` whose BLAKE3 is `pin_hex` (the
    /// pin the wallet ships): its points are not checked again, which makes
    /// loading several times faster; any other file is `INVALID_KEY`.
    pub fn from_pinned_key_file(bytes: &[u8], pin_hex: &str) -> Result<Self, BindingError> {
        let pin = KeyPin::from_hex(pin_hex)
            .ok_or_else(|| BindingError::malformed("pin", "not 64 hex digits"))?;
        let prover = Prover::from_pinned_key_file(bytes, &pin).map_err(load_error)?;
        Ok(WalletProver { prover })
    }

    /// Proves `request`: the credential is checked against every rule first,
    /// and a refusal names the rule ([`ErrorCode::WitnessRefused`]).
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        request: &ProveRequest,
        rng: &mut R,
    ) -> Result<ProofBundle, BindingError> {
        let witness = request.witness(rng)?;
        let (proof, public) = self
            .prover
            .prove(witness, rng)
            .map_err(|e| BindingError::new(ErrorCode::Internal, e.to_string()))?;
        let inputs = public.to_vec();
        Ok(ProofBundle {
            proof: ProofJson::from_proof(&proof),
            public_signals: inputs.iter().map(field_to_decimal).collect(),
            calldata: Calldata::new(&proof, &inputs).to_snarkjs_string(),
        })
    }
}
