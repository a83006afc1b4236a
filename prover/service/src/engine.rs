//! What the service computes, without gRPC: read a request's documents
//! (naming the field that is wrong), check them against the statement's rules,
//! prove, and verify. Handlers map its errors to gRPC codes.

use crate::pb::{self, ProofSystem};
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::statement::files::{
    CredentialJson, DocumentError, HolderJson, PaymentContextJson, PolicyJson,
};
use veil_circuits::statement::{
    escrow_randomness, Credential, PaymentContext, Policy, PublicInputs, Registry, WitnessError,
    NUM_PUBLIC_INPUTS,
};
use veil_circuits::F;
use veil_prover::{Halo2Prover, Prover, ProvingSystem, SystemProof, SystemProver};
use veil_verifier::evm::Calldata;
use veil_verifier::{snarkjs, Halo2Verifier, PreparedKey, SystemKey};

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A field is missing or malformed (→ `InvalidArgument`).
    #[error("{field}: {message}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The documents are well formed but break a rule of the statement
    /// (→ `FailedPrecondition`).
    #[error("the witness violates the statement: {0}")]
    Violates(#[from] WitnessError),
    /// The proving system is not available here (→ `InvalidArgument`).
    #[error("proving system {0:?} is not supported by this server")]
    Unsupported(ProofSystem),
}

fn invalid(field: &'static str) -> impl Fn(DocumentError) -> RequestError {
    move |e| RequestError::Invalid {
        field,
        message: e.to_string(),
    }
}

fn document<T, D: serde::de::DeserializeOwned>(
    field: &'static str,
    text: &str,
    convert: impl Fn(&D) -> Result<T, DocumentError>,
) -> Result<T, RequestError> {
    if text.trim().is_empty() {
        return Err(RequestError::Invalid {
            field,
            message: "missing".into(),
        });
    }
    let parsed: D = serde_json::from_str(text).map_err(|e| RequestError::Invalid {
        field,
        message: format!("malformed JSON: {e}"),
    })?;
    convert(&parsed).map_err(invalid(field))
}

/// A prove request's documents, parsed and validated.
#[derive(Debug, Clone)]
pub struct ProveInputs {
    /// The credential.
    pub credential: Credential,
    /// The holder's secret.
    pub holder_secret: F,
    /// The policy.
    pub policy: Policy,
    /// The payment context.
    pub context: PaymentContext,
    /// The proving system asked for.
    pub system: ProofSystem,
}

/// Parses a prove request (every document, naming the first bad field).
pub fn parse_prove(request: &pb::ProveRequest) -> Result<ProveInputs, RequestError> {
    let system = system_of(request.system)?;
    Ok(ProveInputs {
        system,
        credential: document(
            "credential_json",
            &request.credential_json,
            CredentialJson::to_credential,
        )?,
        holder_secret: document("holder_json", &request.holder_json, HolderJson::to_secret)?,
        policy: document("policy_json", &request.policy_json, PolicyJson::to_policy)?,
        context: document(
            "context_json",
            &request.context_json,
            PaymentContextJson::to_context,
        )?,
    })
}

/// The proving system a request asks for (unspecified means Groth16).
pub fn system_of(raw: i32) -> Result<ProofSystem, RequestError> {
    match ProofSystem::try_from(raw) {
        Ok(ProofSystem::Unspecified | ProofSystem::Groth16) => Ok(ProofSystem::Groth16),
        Ok(ProofSystem::Halo2Kzg) => Ok(ProofSystem::Halo2Kzg),
        Err(_) => Err(RequestError::Invalid {
            field: "system",
            message: format!("unknown proving system {raw}"),
        }),
    }
}

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
            .ok_or(RequestError::Unsupported(system_message(system)))
    }

    /// The trusted-issuer and revocation lists.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Checks `inputs` against every rule (cheap: no proving), so a request
    /// that can never prove is refused before it is queued.
    pub fn check(&self, inputs: &ProveInputs) -> Result<(), RequestError> {
        self.backend(proving_system(inputs.system))?;
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
        let system = proving_system(inputs.system);
        let backend = self
            .backend(system)
            .map_err(|_| ProveFailure::Unsupported(system))?;
        let witness = self.witness(inputs)?;
        let started = Instant::now();
        let (proof, public) = backend.prover.prove(witness, &mut OsRng)?;
        Ok(Proved {
            proof: any_proof_message(&proof, &public),
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
        let (proof, public) = parse_any_proof(request.proof.as_ref())?;
        let response = pb::VerifyResponse {
            valid: false,
            reason: binding_mismatch(request, &public)?.unwrap_or_default(),
            nullifier: field_to_decimal(&public.nullifier),
            issuers_root_current: public.issuers_root == self.registry.issuers_root(),
            revocation_root_current: public.revocation_root == self.registry.revocation_root(),
            ..Default::default()
        };
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

/// The `Proof` message for a halo2-KZG proof: its `proof.json`
/// ([`veil_verifier::proof_to_json`]), decimal inputs, and the generated
/// verifier's calldata (inputs, then proof).
pub fn halo2_proof_message(proof: &[u8], public: &PublicInputs) -> pb::Proof {
    let values = public.to_vec();
    pb::Proof {
        system: ProofSystem::Halo2Kzg as i32,
        proof_json: veil_verifier::proof_to_json(&SystemProof::Halo2Kzg(proof.to_vec())),
        public_inputs: values.iter().map(field_to_decimal).collect(),
        calldata: format!(
            "0x{}",
            hex::encode(veil_halo2::evm::calldata(public, proof))
        ),
    }
}

/// The proof (of either system) and public inputs of a `Proof` message;
/// the `proof.json` must be of the system the message names.
pub fn parse_any_proof(
    proof: Option<&pb::Proof>,
) -> Result<(SystemProof, PublicInputs), RequestError> {
    let message = proof.ok_or(RequestError::Invalid {
        field: "proof",
        message: "missing".into(),
    })?;
    let named = proving_system(system_of(message.system)?);
    let decoded =
        veil_verifier::proof_from_json(&message.proof_json).map_err(|e| RequestError::Invalid {
            field: "proof.proof_json",
            message: e.to_string(),
        })?;
    if decoded.system() != named {
        return Err(RequestError::Invalid {
            field: "proof.proof_json",
            message: format!("a {} proof, but system is {named}", decoded.system()),
        });
    }
    Ok((decoded, public_inputs(message)?))
}

/// The `Proof` message for a Groth16 proof: snarkjs JSON, decimal inputs,
/// and the Solidity verifier's calldata.
pub fn proof_message(proof: &veil_verifier::Proof, public: &PublicInputs) -> pb::Proof {
    let values = public.to_vec();
    pb::Proof {
        system: ProofSystem::Groth16 as i32,
        proof_json: snarkjs::proof_to_string(proof),
        public_inputs: values.iter().map(field_to_decimal).collect(),
        calldata: Calldata::new(proof, &values).to_snarkjs_string(),
    }
}

/// The `Proof` message for a proof of either system.
pub fn any_proof_message(proof: &SystemProof, public: &PublicInputs) -> pb::Proof {
    match proof {
        SystemProof::Groth16(p) => proof_message(p, public),
        SystemProof::Halo2Kzg(bytes) => halo2_proof_message(bytes, public),
    }
}

/// The proving system of a wire value (unspecified means Groth16).
pub fn proving_system(system: ProofSystem) -> ProvingSystem {
    match system {
        ProofSystem::Halo2Kzg => ProvingSystem::Halo2Kzg,
        ProofSystem::Groth16 | ProofSystem::Unspecified => ProvingSystem::Groth16,
    }
}

/// The wire value of a proving system.
pub fn system_message(system: ProvingSystem) -> ProofSystem {
    match system {
        ProvingSystem::Groth16 => ProofSystem::Groth16,
        ProvingSystem::Halo2Kzg => ProofSystem::Halo2Kzg,
    }
}

/// The proof and public inputs of a `Proof` message.
pub fn parse_proof(
    proof: Option<&pb::Proof>,
) -> Result<(veil_verifier::Proof, PublicInputs), RequestError> {
    let proof = proof.ok_or(RequestError::Invalid {
        field: "proof",
        message: "missing".into(),
    })?;
    if system_of(proof.system)? != ProofSystem::Groth16 {
        return Err(RequestError::Invalid {
            field: "proof.system",
            message: "not a Groth16 proof".into(),
        });
    }
    let decoded =
        snarkjs::proof_from_str(&proof.proof_json).map_err(|e| RequestError::Invalid {
            field: "proof.proof_json",
            message: e.to_string(),
        })?;
    Ok((decoded, public_inputs(proof)?))
}

/// The ten public inputs of a `Proof` message.
fn public_inputs(proof: &pb::Proof) -> Result<PublicInputs, RequestError> {
    if proof.public_inputs.len() != NUM_PUBLIC_INPUTS {
        return Err(RequestError::Invalid {
            field: "proof.public_inputs",
            message: format!(
                "expected {NUM_PUBLIC_INPUTS} inputs, got {}",
                proof.public_inputs.len()
            ),
        });
    }
    let values = proof
        .public_inputs
        .iter()
        .map(|s| field_from_decimal(s))
        .collect::<Result<Vec<F>, _>>()
        .map_err(|e| RequestError::Invalid {
            field: "proof.public_inputs",
            message: e.to_string(),
        })?;
    PublicInputs::from_slice(&values).ok_or(RequestError::Invalid {
        field: "proof.public_inputs",
        message: "wrong count".into(),
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
