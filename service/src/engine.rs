//! What the service computes, in the statement's own types and without
//! gRPC: check a request against the statement's rules, prove, and verify
//! to a [`Verdict`]. `rpc/` turns messages into these types and back, and
//! maps errors to gRPC codes.

use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use veil_circuits::statement::{
    escrow_randomness, BindingMismatch, PaymentContext, Policy, PublicInputs, Registry,
    WitnessError,
};
use veil_circuits::F;
pub use veil_client::request::{parse_prove, ProveInputs, RequestError};
use veil_prover::{Halo2Prover, Prover, ProvingSystem, SystemProof, SystemProver};
use veil_verifier::{Halo2Verifier, PreparedKey, SystemKey, VerifyError};

/// What a payment path asks: is this proof valid for this policy and this
/// payment (each checked where given), against the service's current roots?
#[derive(Debug, Clone)]
pub struct ProofCheck {
    /// The proof, of either system.
    pub proof: SystemProof,
    /// Its public inputs.
    pub public: PublicInputs,
    /// The policy the proof must be for.
    pub policy: Option<Policy>,
    /// The payment the proof must be bound to.
    pub context: Option<PaymentContext>,
    /// Check the proof alone, whatever roots it was made against.
    pub accept_stale_roots: bool,
}

/// The engine's answer to a [`ProofCheck`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Why the proof is not accepted; `None` when it is.
    pub refusal: Option<Refusal>,
    /// The proof's nullifier (what a settlement spends).
    pub nullifier: F,
    /// Whether its trusted-issuer root is the service's current one.
    pub issuers_root_current: bool,
    /// Whether its revocation root is the service's current one.
    pub revocation_root_current: bool,
}

impl Verdict {
    /// Whether the proof is accepted.
    pub fn valid(&self) -> bool {
        self.refusal.is_none()
    }
}

/// Why a well-formed proof is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It is for another policy or payment than the one asked about.
    #[error(transparent)]
    Binding(#[from] BindingMismatch),
    /// It was made against roots that are not the service's current ones.
    #[error(
        "the proof's {} root is not this service's current one \
         (set accept_stale_roots to check the proof alone)",
        stale_names(*.issuers, *.revocation)
    )]
    StaleRoots {
        /// The trusted-issuer root is stale.
        issuers: bool,
        /// The revocation root is stale.
        revocation: bool,
    },
    /// The proof does not verify.
    #[error(transparent)]
    Invalid(#[from] VerifyError),
}

fn stale_names(issuers: bool, revocation: bool) -> String {
    [
        issuers.then_some("trusted-issuer"),
        revocation.then_some("revocation"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" and ")
}

/// A finished proof.
pub struct Proved {
    /// The proof.
    pub proof: SystemProof,
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
    pub fn systems(&self) -> Vec<ProvingSystem> {
        self.systems.iter().map(|b| b.prover.system()).collect()
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
            proof,
            public,
            elapsed: started.elapsed(),
        })
    }

    /// Verifies one proof: the verdict, or an error for a policy that cannot
    /// be hashed (malformed).
    pub fn verify(&self, check: &ProofCheck) -> Result<Verdict, RequestError> {
        let mut verdict = self.prepare(check)?;
        if verdict.refusal.is_none() {
            let key = &self.backend(check.proof.system())?.key;
            verdict.refusal = key
                .verify_statement(&check.proof, &check.public)
                .err()
                .map(Refusal::from);
        }
        Ok(verdict)
    }

    /// Verifies many proofs with one batched pairing check (each bad proof
    /// still named); a malformed item refuses the whole batch, naming it.
    pub fn verify_batch(
        &self,
        checks: &[ProofCheck],
    ) -> Result<Vec<Verdict>, (usize, RequestError)> {
        let mut verdicts = Vec::with_capacity(checks.len());
        let mut pending = Vec::new();
        let mut batch = Vec::new();
        for (i, check) in checks.iter().enumerate() {
            let mut verdict = self.prepare(check).map_err(|e| (i, e))?;
            if verdict.refusal.is_none() {
                let key = &self.backend(check.proof.system()).map_err(|e| (i, e))?.key;
                match (key, &check.proof) {
                    // Groth16 proofs share one batched pairing check.
                    (SystemKey::Groth16(_), SystemProof::Groth16(p)) => {
                        pending.push(i);
                        batch.push((p.clone(), check.public.to_vec()));
                    }
                    // Other systems' proofs are checked one by one.
                    (key, proof) => {
                        verdict.refusal = key
                            .verify_statement(proof, &check.public)
                            .err()
                            .map(Refusal::from);
                    }
                }
            }
            verdicts.push(verdict);
        }
        let rejected = match self.groth16_batch(&batch) {
            Ok(()) => Vec::new(),
            Err(VerifyError::BatchRejected { invalid }) => invalid,
            // Counts were checked when parsing; treat anything else as all bad.
            Err(_) => (0..batch.len()).collect(),
        };
        for (slot, &i) in pending.iter().enumerate() {
            if rejected.contains(&slot) {
                verdicts[i].refusal = Some(Refusal::Invalid(VerifyError::Rejected));
            }
        }
        Ok(verdicts)
    }

    /// The batched check of Groth16 proofs (`BatchRejected` names the bad
    /// ones).
    fn groth16_batch(&self, batch: &[(veil_verifier::Proof, Vec<F>)]) -> Result<(), VerifyError> {
        if batch.is_empty() {
            return Ok(());
        }
        match &self.backend(ProvingSystem::Groth16) {
            Ok(Backend {
                key: SystemKey::Groth16(key),
                ..
            }) => veil_verifier::verify_batch(key, batch, &mut OsRng),
            // Groth16 proofs were only batched under a Groth16 key.
            _ => Err(VerifyError::NotBuilt(ProvingSystem::Groth16)),
        }
    }

    /// What needs no pairing: the binding to the policy and payment asked
    /// about, then (unless told to accept them) the roots.
    fn prepare(&self, check: &ProofCheck) -> Result<Verdict, RequestError> {
        let public = &check.public;
        let issuers_root_current = public.issuers_root == self.registry.issuers_root();
        let revocation_root_current = public.revocation_root == self.registry.revocation_root();
        let mut refusal = public
            .binding_mismatch(check.policy.as_ref(), check.context.as_ref())?
            .map(Refusal::from);
        if refusal.is_none()
            && !check.accept_stale_roots
            && !(issuers_root_current && revocation_root_current)
        {
            refusal = Some(Refusal::StaleRoots {
                issuers: !issuers_root_current,
                revocation: !revocation_root_current,
            });
        }
        Ok(Verdict {
            refusal,
            nullifier: public.nullifier,
            issuers_root_current,
            revocation_root_current,
        })
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
