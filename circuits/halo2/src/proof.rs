//! Proving and verifying the statement on halo2-KZG.
//!
//! Proofs use the GWC19 multi-open argument and snark-verifier's EVM
//! transcript (Keccak-256 Fiat–Shamir over 32-byte words), so the same bytes
//! verify natively here and in the generated Solidity verifier ([`crate::evm`]).

use crate::field::fr;
use crate::keys::{builder, Halo2Keys, Halo2VerifyingKey};
use crate::params::{ParamsError, UniversalParams};
use crate::statement::synthesize;
use crate::Fr;
use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_base::halo2_proofs::plonk::{create_proof, verify_proof};
use halo2_base::halo2_proofs::poly::commitment::ParamsProver;
use halo2_base::halo2_proofs::poly::kzg::{
    commitment::KZGCommitmentScheme,
    multiopen::{ProverGWC, VerifierGWC},
    strategy::AccumulatorStrategy,
};
use halo2_base::halo2_proofs::poly::VerificationStrategy;
use halo2_base::halo2_proofs::transcript::{TranscriptReadBuffer, TranscriptWriterBuffer};
use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use veil_circuits::statement::{ComplianceWitness, PublicInputs, WitnessError};

/// Why proving or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The parameters do not fit the keys.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// The witness cannot be encoded.
    #[error(transparent)]
    Witness(#[from] WitnessError),
    /// halo2's prover failed (an unsatisfied witness can make it fail).
    #[error("halo2 proving failed: {0}")]
    Prover(String),
    /// The proof does not verify for these public inputs.
    #[error("the halo2 proof does not verify")]
    Rejected,
}

/// A halo2 proof of the statement: transcript bytes and the public inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Halo2Proof {
    /// The proof bytes (EVM transcript encoding).
    pub bytes: Vec<u8>,
    /// The ten public inputs it proves.
    pub public: PublicInputs,
}

/// Proves `witness` with `keys` under `params`. Does not check the witness
/// first: callers that want a refusal naming the rule build the witness with
/// `ComplianceWitness::build` (as `veil-prover` does); a bad witness here
/// gives a proof that [`verify`] rejects.
pub fn prove<R: RngCore + CryptoRng>(
    params: &UniversalParams,
    keys: &Halo2Keys,
    witness: &ComplianceWitness,
    mut rng: R,
) -> Result<Halo2Proof, ProofError> {
    // halo2's prover is generic over the RNG: seed one concrete RNG here so
    // it is compiled (and optimised) in this crate, not in every caller.
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    prove_seeded(params, keys, witness, ChaCha20Rng::from_seed(seed))
}

fn prove_seeded(
    params: &UniversalParams,
    keys: &Halo2Keys,
    witness: &ComplianceWitness,
    rng: ChaCha20Rng,
) -> Result<Halo2Proof, ProofError> {
    let kzg = params.for_k(keys.layout.shape.k)?;
    let mut circuit = builder(CircuitBuilderStage::Prover, keys.layout.shape)
        .use_params(keys.layout.config.clone())
        .use_break_points(keys.layout.break_points.clone());
    synthesize(&mut circuit, witness)?;
    let instances: Vec<Fr> = witness.public.to_vec().iter().map(fr).collect();
    let mut transcript = TranscriptWriterBuffer::<_, G1Affine, _>::init(Vec::new());
    create_proof::<
        KZGCommitmentScheme<Bn256>,
        ProverGWC<'_, Bn256>,
        _,
        _,
        EvmTranscript<_, _, _, _>,
        _,
    >(
        &kzg,
        &keys.pk,
        &[circuit],
        &[&[instances.as_slice()]],
        rng,
        &mut transcript,
    )
    .map_err(|e| ProofError::Prover(e.to_string()))?;
    Ok(Halo2Proof {
        bytes: transcript.finalize(),
        public: witness.public,
    })
}

/// Verifies `proof` for `public` under the verifying key. Any failure (bad
/// bytes, failed pairing) is [`ProofError::Rejected`].
pub fn verify(
    params: &UniversalParams,
    vk: &Halo2VerifyingKey,
    proof: &[u8],
    public: &PublicInputs,
) -> Result<(), ProofError> {
    let kzg = params.for_k(vk.layout.shape.k)?;
    let instances: Vec<Fr> = public.to_vec().iter().map(fr).collect();
    let verifier_params = kzg.verifier_params();
    let mut transcript = TranscriptReadBuffer::<_, G1Affine, _>::init(proof);
    let accepted = verify_proof::<_, VerifierGWC<'_, Bn256>, _, EvmTranscript<_, _, _, _>, _>(
        verifier_params,
        &vk.vk,
        AccumulatorStrategy::new(verifier_params),
        &[&[instances.as_slice()]],
        &mut transcript,
    )
    .map(VerificationStrategy::<_, VerifierGWC<'_, Bn256>>::finalize)
    .unwrap_or(false);
    if accepted {
        Ok(())
    } else {
        Err(ProofError::Rejected)
    }
}
