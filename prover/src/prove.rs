//! Proving: synthesize the witness without rebuilding matrices (they were read
//! once when the prover was made), run arkworks' Groth16 prover (rayon across
//! the MSMs and FFTs), then check the proof against the verifying key before
//! handing it out, so a wallet never publishes a proof that fails.

use crate::groth16::{Msm, G1, G2};
use crate::qap::Qap;
use crate::setup::Keys;
use crate::shape::Matrices;
use crate::{Curve, Proof, ProvingKey};
use ark_ff::UniformRand;
use ark_groth16::{Groth16, PreparedVerifyingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
};
use rand::{CryptoRng, RngCore};
use std::path::Path;
use veil_circuits::statement::{ComplianceCircuit, ComplianceWitness, PublicInputs};
use veil_circuits::F;
use veil_system::keys::{self, KeyFileError};
use veil_system::CircuitShape;

/// Why proving failed.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The circuit could not be synthesized with this witness.
    #[error("witness synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The witness does not fit the key's circuit (a bug, or a key mix-up).
    #[error("the witness has {got} variables, the circuit {expected}")]
    ShapeMismatch {
        /// Variables the circuit has.
        expected: usize,
        /// Variables the synthesis produced.
        got: usize,
    },
    /// The proof did not verify under the key's own verifying key: the witness
    /// violates a constraint the native builder did not catch.
    #[error("the proof does not verify: the witness violates the statement")]
    SelfCheckFailed,
    /// The halo2 prover failed.
    #[error("halo2 proving failed: {0}")]
    Halo2(String),
}

/// A loaded proving key with the circuit's matrices, ready to prove many times.
pub struct Prover {
    proving_key: ProvingKey,
    prepared: PreparedVerifyingKey<Curve>,
    matrices: Matrices,
}

impl Prover {
    /// A prover for the compliance statement from a proving key (assumed to
    /// be for this circuit; use [`Prover::load`] for files).
    pub fn new(proving_key: ProvingKey) -> Result<Self, ProveError> {
        let matrices = Matrices::of(ComplianceCircuit::blank())?;
        Ok(Self::with_matrices(proving_key, matrices))
    }

    /// Loads a proving key file, refusing one made for another circuit. The
    /// file is checked (against [`CircuitShape::COMPLIANCE`]) before the
    /// circuit is synthesized, so a bad file is refused at once.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let proving_key = keys::load_proving_key(path, &CircuitShape::COMPLIANCE)?;
        Self::checked_key(proving_key)
    }

    /// A prover from the bytes of a proving key file (what a browser wallet
    /// fetched), refusing one made for another circuit, before synthesizing
    /// the circuit (found by the `key_file` fuzz target: any bytes cost a
    /// full synthesis before they were refused).
    pub fn from_key_file(bytes: &[u8]) -> Result<Self, LoadError> {
        let proving_key = keys::decode_proving_key(bytes, &CircuitShape::COMPLIANCE)?;
        Self::checked_key(proving_key)
    }

    /// Loads the proving key file `pin` names (the BLAKE3 of the whole
    /// file, shipped with the application): its points are not checked
    /// again, and any other file is refused
    /// ([`keys::KeyFileError::PinMismatch`]).
    pub fn load_pinned(path: &Path, pin: &keys::KeyPin) -> Result<Self, LoadError> {
        let proving_key = keys::load_proving_key_pinned(path, &CircuitShape::COMPLIANCE, pin)?;
        Self::checked_key(proving_key)
    }

    /// [`Prover::load_pinned`] from the file's bytes (a wallet that fetched
    /// its key and ships the key's pin).
    pub fn from_pinned_key_file(bytes: &[u8], pin: &keys::KeyPin) -> Result<Self, LoadError> {
        let proving_key = keys::decode_proving_key_pinned(bytes, &CircuitShape::COMPLIANCE, pin)?;
        Self::checked_key(proving_key)
    }

    /// A prover for a key file's contents, already checked: the matrices
    /// the file carries (checked against [`CircuitShape::COMPLIANCE`] when
    /// it was decoded), or, for a file without them, the circuit
    /// synthesized once for them.
    pub fn from_key_file_contents(file: keys::ProvingKeyFile) -> Result<Self, ProveError> {
        let matrices = match file.matrices {
            Some(abc) => Matrices {
                abc,
                shape: CircuitShape::COMPLIANCE,
            },
            None => Matrices::of(ComplianceCircuit::blank())?,
        };
        Ok(Self::with_matrices(file.key, matrices))
    }

    /// A prover for the keys of a setup, with the matrices it synthesized
    /// (nothing is synthesized again).
    pub fn for_keys(keys: Keys) -> Self {
        let matrices = Matrices {
            abc: keys.matrices,
            shape: keys.shape,
        };
        Self::with_matrices(keys.proving_key, matrices)
    }

    fn checked_key(file: keys::ProvingKeyFile) -> Result<Self, LoadError> {
        Ok(Self::from_key_file_contents(file)?)
    }

    fn with_matrices(proving_key: ProvingKey, matrices: Matrices) -> Self {
        let prepared = ark_groth16::prepare_verifying_key(&proving_key.vk);
        Prover {
            proving_key,
            prepared,
            matrices,
        }
    }

    /// The proving key.
    pub fn proving_key(&self) -> &ProvingKey {
        &self.proving_key
    }

    /// The circuit's shape.
    pub fn shape(&self) -> &CircuitShape {
        &self.matrices.shape
    }

    /// Proves `witness` (already checked by `ComplianceWitness::build`), with
    /// zero-knowledge randomness from `rng` (use `OsRng` outside tests).
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        witness: ComplianceWitness,
        rng: &mut R,
    ) -> Result<(Proof, PublicInputs), ProveError> {
        let (proof, public) = self.prove_unchecked(witness, rng)?;
        let accepted = Groth16::<Curve>::verify_proof(&self.prepared, &proof, &public.to_vec())?;
        if !accepted {
            return Err(ProveError::SelfCheckFailed);
        }
        Ok((proof, public))
    }

    /// Proves without the final self-check: for soundness tests, which need
    /// the proof a cheating prover would publish for a bad witness, and for
    /// benchmarks of the prover alone.
    pub fn prove_unchecked<R: RngCore + CryptoRng>(
        &self,
        witness: ComplianceWitness,
        rng: &mut R,
    ) -> Result<(Proof, PublicInputs), ProveError> {
        let public = witness.public;
        let assignment = self.assignment(witness)?;
        let shape = &self.matrices.shape;
        let r = F::rand(rng);
        let s = F::rand(rng);
        let qap = Qap::new(shape.num_constraints, shape.num_instance_variables)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let proof = crate::groth16::prove(
            &self.proving_key,
            &qap,
            r,
            s,
            &self.matrices.abc,
            shape.num_instance_variables,
            &assignment,
        )?;
        Ok((proof, public))
    }

    /// The quotient's coefficients for `assignment` (from
    /// [`Prover::assignment`]): a proof's witness map alone, for benchmarks
    /// and profilers.
    pub fn witness_map(&self, assignment: &[F]) -> Result<Vec<F>, ProveError> {
        let shape = &self.matrices.shape;
        self.check_assignment(assignment)?;
        let qap = Qap::new(shape.num_constraints, shape.num_instance_variables)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        Ok(qap.witness_map(&self.matrices.abc, assignment)?)
    }

    /// One of a proof's five MSMs alone, as [`Prover::prove`] computes it
    /// (its scalars converted as a proof converts them), for `assignment` and the quotient `h` from
    /// [`Prover::witness_map`]: the breakdown the benchmarks print is the
    /// time a proof spends in each. Returns the G1 and G2 sums (one of them
    /// zero).
    pub fn run_msm(&self, which: Msm, assignment: &[F], h: &[F]) -> Result<(G1, G2), ProveError> {
        self.check_assignment(assignment)?;
        let inputs = self.matrices.shape.num_instance_variables;
        Ok(crate::groth16::one_msm(
            &self.proving_key,
            which,
            h,
            &assignment[1..],
            inputs - 1,
        ))
    }

    /// Refuses an assignment of another length than the circuit's variables
    /// (the matrices index into it), so a caller's slice is never read past.
    fn check_assignment(&self, assignment: &[F]) -> Result<(), ProveError> {
        let shape = &self.matrices.shape;
        let variables = shape.num_instance_variables + shape.num_witness_variables;
        if shape.num_instance_variables == 0 || assignment.len() != variables {
            return Err(SynthesisError::AssignmentMissing.into());
        }
        Ok(())
    }

    /// The full assignment (instance then witness variables) of the circuit
    /// for `witness`: the witness-generation step of proving, on its own for
    /// benchmarks.
    pub fn assignment(&self, witness: ComplianceWitness) -> Result<Vec<F>, ProveError> {
        self.assign(ComplianceCircuit::new(witness))
    }

    fn assign<C: ConstraintSynthesizer<F>>(&self, circuit: C) -> Result<Vec<F>, ProveError> {
        let cs = ConstraintSystem::<F>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        circuit.generate_constraints(cs.clone())?;
        let cs = cs.into_inner().ok_or(SynthesisError::MissingCS)?;
        let mut assignment = cs.instance_assignment()?.to_vec();
        assignment.extend_from_slice(cs.witness_assignment()?);
        let shape = &self.matrices.shape;
        let expected = shape.num_instance_variables + shape.num_witness_variables;
        if assignment.len() != expected {
            return Err(ProveError::ShapeMismatch {
                expected,
                got: assignment.len(),
            });
        }
        Ok(assignment)
    }
}

/// Why a prover could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The key file was refused.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The circuit could not be synthesized.
    #[error(transparent)]
    Prove(#[from] ProveError),
    /// A keys directory's files were refused.
    #[error(transparent)]
    Keys(#[from] veil_system::KeysError),
    /// The halo2 proving key regenerated from the parameters does not
    /// reproduce the verifying key (another circuit or another SRS).
    #[error("the halo2 keys do not match the SRS: {0}")]
    Halo2Keys(String),
    /// Keys of a system this build cannot prove with.
    #[error("this build cannot prove with {0} (veil-prover's `halo2` feature is off)")]
    NotBuilt(veil_system::ProvingSystem),
}
