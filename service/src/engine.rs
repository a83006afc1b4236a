//! What the service computes, without gRPC: read a request's documents
//! (naming the field that is wrong), check them against the statement's rules,
//! prove, and verify. Handlers map its errors to gRPC codes.

use crate::pb::{self, ProofSystem};
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{PaymentContextJson, PolicyJson};
use veil_circuits::statement::{escrow_randomness, PublicInputs, Registry, WitnessError};
use veil_circuits::F;
use veil_client::proof::{parse_proof, system_message};
use veil_client::request::document;
pub use veil_client::request::{parse_prove, ProveInputs, RequestError};
use veil_prover::{Halo2Prover, Prover, ProvingSystem, SystemProof, SystemProver};
use veil_verifier::{Halo2Verifier, PreparedKey, SystemKey};

/// A finished proof.
pub struct Proved {
    /// The proof in the API's form.
    pub proof: pb::Proof,
    /// The public inputs.
    pub public: PublicInputs,
    /// Time spent in the prover.
    pub elapsed: Duration,
}

/// The keys and lists the service proves and verifies with.
pub struct Engine {
    systems: Vec<Backend>,
    registry: Registry,
}

/// A proving system the server has keys for: its prover and verifier.
struct Backend {
    prover: SystemProver,
    key: SystemKey,
}

impl Engine {
    /// An engine proving with Groth16 `prover` against `registry`.
    pub fn new(prover: Prover, registry: Registry) -> Result<Self, veil_verifier::VerifyError> {
        let key = SystemKey::Groth16(PreparedKey::new(&prover.proving_key().vk)?);
        Ok(Engine {
            systems: vec![Backend {
                prover: SystemProver::Groth16(prover),
                key,
            }],
            registry,
        })
    }

    /// Also proves and verifies with another system (or replaces the keys
    /// of one it has).
    pub fn with_system(mut self, prover: SystemProver, key: SystemKey) -> Self {
        self.systems
            .retain(|b| b.prover.system() != prover.system());
        self.systems.push(Backend { prover, key });
        self
    }

    /// Also proves and verifies halo2-KZG proofs, with these keys.
    pub fn with_halo2(self, prover: Halo2Prover, verifier: Halo2Verifier) -> Self {
        self.with_system(
            SystemProver::Halo2Kzg(Box::new(prover)),
            SystemKey::Halo2Kzg(Box::new(verifier)),
        )
    }

    /// The proving systems this engine serves.
    pub fn systems(&self) -> Vec<ProofSystem> {
        self.systems
            .iter()
            .map(|b| system_message(b.prover.system()))
            .collect()
    }

    fn backend(&self, system: ProvingSystem) -> Result<&Backend, RequestError> {
        self.systems
            .iter()
            .find(|b| b.prover.system() == system)
            .ok_or(RequestError::Unsupported(system))
    }

    /// The trusted-issuer and revocation lists.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Checks `inputs` against every rule (cheap: no proving), so a request
    /// that can never prove is refused before it is queued.
    pub fn check(&self, inputs: &ProveInputs) -> Result<(), RequestError> {
        self.backend(inputs.system)?;
        self.witness(inputs.clone())?;
        Ok(())
    }

    fn witness(
        &self,
        inputs: ProveInputs,
    ) -> Result<veil_circuits::statement::ComplianceWitness, WitnessError> {
        self.registry.witness(
            inputs.credential,
            inputs.holder_secret,
            inputs.policy,
            inputs.context,
            escrow_randomness(&mut OsRng),
        )
    }

    /// Proves (fresh escrow and proof randomness from the OS).
    pub fn prove(&self, inputs: ProveInputs) -> Result<Proved, ProveFailure> {
        let system = inputs.system;
        let backend = self
            .backend(system)
            .map_err(|_| ProveFailure::Unsupported(system))?;
        let witness = self.witness(inputs)?;
        let started = Instant::now();
        let (proof, public) = backend.prover.prove(witness, &mut OsRng)?;
        Ok(Proved {
            proof: proof_message(&proof, &public),
            public,
            elapsed: started.elapsed(),
        })
    }

    /// Verifies one request: `Ok` with the verdict, `Err` for malformed input.
    pub fn verify(&self, request: &pb::VerifyRequest) -> Result<pb::VerifyResponse, RequestError> {
        let (proof, public, mut response) = self.prepare(request)?;
        if response.reason.is_empty() {
            let verdict = self
                .backend(proof.system())?
                .key
                .verify_statement(&proof, &public);
            match verdict {
                Ok(()) => response.valid = true,
                Err(e) => response.reason = e.to_string(),
            }
        }
        Ok(response)
    }

    /// Verifies many requests with one batched pairing check (each bad proof
    /// still named); a malformed item refuses the whole batch, naming it.
    pub fn verify_batch(
        &self,
        requests: &[pb::VerifyRequest],
    ) -> Result<Vec<pb::VerifyResponse>, (usize, RequestError)> {
        let mut responses = Vec::with_capacity(requests.len());
        let mut pending = Vec::new();
        let mut batch = Vec::new();
        for (i, request) in requests.iter().enumerate() {
            let (proof, public, mut response) = self.prepare(request).map_err(|e| (i, e))?;
            if response.reason.is_empty() {
                let key = &self.backend(proof.system()).map_err(|e| (i, e))?.key;
                match (key, proof) {
                    // Groth16 proofs share one batched pairing check.
                    (SystemKey::Groth16(_), SystemProof::Groth16(p)) => {
                        pending.push(i);
                        batch.push((p, public.to_vec()));
                    }
                    // Other systems' proofs are checked one by one.
                    (key, proof) => match key.verify_statement(&proof, &public) {
                        Ok(()) => response.valid = true,
                        Err(e) => response.reason = e.to_string(),
                    },
                }
            }
            responses.push(response);
        }
        let rejected = match self.groth16_batch(&batch) {
            Ok(()) => Vec::new(),
            Err(veil_verifier::VerifyError::BatchRejected { invalid }) => invalid,
            // Counts were checked when parsing; treat anything else as all bad.
            Err(_) => (0..batch.len()).collect(),
        };
        for (slot, &i) in pending.iter().enumerate() {
            if rejected.contains(&slot) {
                responses[i].reason = veil_verifier::VerifyError::Rejected.to_string();
            } else {
                responses[i].valid = true;
            }
        }
        Ok(responses)
    }

    /// The batched check of Groth16 proofs (`BatchRejected` names the bad
    /// ones).
    fn groth16_batch(
        &self,
        batch: &[(veil_verifier::Proof, Vec<F>)],
    ) -> Result<(), veil_verifier::VerifyError> {
        if batch.is_empty() {
            return Ok(());
        }
        match &self.backend(ProvingSystem::Groth16) {
            Ok(Backend {
                key: SystemKey::Groth16(key),
                ..
            }) => veil_verifier::verify_batch(key, batch, &mut OsRng),
            // Groth16 proofs were only batched under a Groth16 key.
            _ => Err(veil_verifier::VerifyError::NotBuilt(ProvingSystem::Groth16)),
        }
    }

    /// Parses a verify request and checks what needs no pairing: a response
    /// with a reason already set is a rejection.
    fn prepare(
        &self,
        request: &pb::VerifyRequest,
    ) -> Result<(SystemProof, PublicInputs, pb::VerifyResponse), RequestError> {
        let (proof, public) = parse_proof(request.proof.as_ref())?;
        let mut response = pb::VerifyResponse {
            valid: false,
            reason: binding_mismatch(request, &public)?.unwrap_or_default(),
            nullifier: field_to_decimal(&public.nullifier),
            issuers_root_current: public.issuers_root == self.registry.issuers_root(),
            revocation_root_current: public.revocation_root == self.registry.revocation_root(),
            ..Default::default()
        };
        if response.reason.is_empty() && !request.accept_stale_roots {
            response.reason = stale_roots(&response).unwrap_or_default();
        }
        Ok((proof, public, response))
    }
}

/// Why a job's proving failed.
#[derive(Debug, thiserror::Error)]
pub enum ProveFailure {
    /// A rule of the statement (the registry may have changed since submit).
    #[error(transparent)]
    Witness(#[from] WitnessError),
    /// The prover failed.
    #[error(transparent)]
    Prove(#[from] veil_prover::ProveError),
    /// The job asks for a proving system this server no longer has keys for.
    #[error("this server has no {0} keys")]
    Unsupported(ProvingSystem),
}

/// The `Proof` message the server answers for a proof it made: the proof
/// and its inputs ([`veil_client::proof::proof_message`]) with the generated
/// EVM verifier's calldata.
pub fn proof_message(proof: &SystemProof, public: &PublicInputs) -> pb::Proof {
    let mut message = veil_client::proof::proof_message(proof, public);
    // Built with both backends (Cargo.toml), so the calldata of either
    // system can always be encoded.
    message.calldata = veil_verifier::evm::calldata_text(proof, public).unwrap_or_default();
    message
}

/// Why a proof is not acceptable now: its issuer or revocation root is not
/// this service's current one (a stale root, or a tree the prover made).
fn stale_roots(response: &pb::VerifyResponse) -> Option<String> {
    let stale: Vec<&str> = [
        (!response.issuers_root_current).then_some("trusted-issuer"),
        (!response.revocation_root_current).then_some("revocation"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!stale.is_empty()).then(|| {
        format!(
            "the proof's {} root is not this service's current one \
             (set accept_stale_roots to check the proof alone)",
            stale.join(" and ")
        )
    })
}

/// Whether the proof is for another policy or payment than the request names.
fn binding_mismatch(
    request: &pb::VerifyRequest,
    public: &PublicInputs,
) -> Result<Option<String>, RequestError> {
    let policy = (!request.policy_json.trim().is_empty())
        .then(|| document("policy_json", &request.policy_json, PolicyJson::to_policy))
        .transpose()?;
    let context = (!request.context_json.trim().is_empty())
        .then(|| {
            document(
                "context_json",
                &request.context_json,
                PaymentContextJson::to_context,
            )
        })
        .transpose()?;
    Ok(public
        .binding_mismatch(policy.as_ref(), context.as_ref())?
        .map(|m| m.to_string()))
}
