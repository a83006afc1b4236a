//! Circuit-specific Groth16 setup for the compliance statement.
//!
//! One party runs it and must destroy its randomness (the "toxic waste"): who
//! keeps it can forge proofs. That is fine for development, tests and the demo;
//! a deployment runs a multi-party ceremony and imports the result.

use crate::shape::Matrices;
use crate::{Curve, ProvingKey, VerifyingKey};
use ark_groth16::Groth16;
use ark_relations::gr1cs::SynthesisError;
use rand::{CryptoRng, RngCore};
use veil_circuits::statement::ComplianceCircuit;
use veil_system::shape::Matrix;
use veil_system::CircuitShape;

/// A step of [`setup`], reported so a CLI can show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStage {
    /// Synthesizing the circuit and fingerprinting its matrices.
    Shape,
    /// Computing the proving and verifying keys (the long step).
    Keys,
    /// Finished.
    Done,
}

/// Why setup failed.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The circuit could not be synthesized (a bug in the circuit).
    #[error("circuit synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
}

/// The keys of one setup, the shape they belong to and the circuit's
/// matrices (written into the proving key file, so no prover synthesizes
/// the circuit again).
#[derive(Clone)]
pub struct Keys {
    /// The proving key (with the verifying key inside).
    pub proving_key: ProvingKey,
    /// The circuit's shape.
    pub shape: CircuitShape,
    /// The circuit's A, B, C matrices.
    pub matrices: Vec<Matrix>,
}

impl Keys {
    /// The verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.proving_key.vk
    }
}

/// Runs the Groth16 setup for the compliance statement with randomness from
/// `rng` (use `OsRng` outside tests), reporting each stage to `progress`.
pub fn setup<R: RngCore + CryptoRng>(
    rng: &mut R,
    mut progress: impl FnMut(SetupStage),
) -> Result<Keys, SetupError> {
    progress(SetupStage::Shape);
    let Matrices { abc, shape } = Matrices::of(ComplianceCircuit::blank())?;
    progress(SetupStage::Keys);
    let proving_key = Groth16::<Curve>::generate_random_parameters_with_reduction(
        ComplianceCircuit::blank(),
        rng,
    )?;
    progress(SetupStage::Done);
    Ok(Keys {
        proving_key,
        shape,
        matrices: abc,
    })
}

/// The published seed of [`insecure_demo_setup`]. Anyone can recompute its
/// toxic waste and forge proofs under its keys.
pub const INSECURE_DEMO_SEED: [u8; 32] = *b"veil demo key: INSECURE, public.";

/// The demo's and the tests' fixed keys: a setup whose randomness is derived
/// from [`INSECURE_DEMO_SEED`] (ChaCha20), so the committed
/// `contracts/src/Groth16Verifier.sol` matches it and `veil demo` runs
/// on-chain without compiling Solidity. **Insecure by construction**: never
/// deploy these keys where proofs matter; run a ceremony instead.
pub fn insecure_demo_setup(progress: impl FnMut(SetupStage)) -> Result<Keys, SetupError> {
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(INSECURE_DEMO_SEED);
    setup(&mut rng, progress)
}
