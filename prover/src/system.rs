//! Proving with either of veil's systems behind one type: [`SystemProver`]
//! proves with Groth16 or halo2-KZG and tags the proof with its system
//! ([`veil_system::SystemProof`]). halo2 proving is behind this crate's
//! `halo2` feature (the wasm wallet builds without it).

use crate::{LoadError, ProveError, Prover};
use rand::{CryptoRng, RngCore};
use veil_circuits::statement::{ComplianceWitness, PublicInputs};
use veil_system::{KeysDir, ProverKeys, ProvingSystem, SystemProof};

/// The halo2-KZG prover: universal parameters and the statement's keys.
#[cfg(feature = "halo2")]
pub struct Halo2Prover {
    params: veil_halo2::UniversalParams,
    keys: veil_halo2::Halo2Keys,
    vk: veil_halo2::keys::Halo2VerifyingKey,
}

#[cfg(feature = "halo2")]
impl Halo2Prover {
    /// A prover from parameters and keys made under them.
    pub fn new(params: veil_halo2::UniversalParams, keys: veil_halo2::Halo2Keys) -> Self {
        let vk = keys.verifying_key();
        Halo2Prover { params, keys, vk }
    }

    /// A prover for a verifying key: the proving key is regenerated from the
    /// parameters and must reproduce `vk` (another circuit or SRS is refused).
    pub fn for_verifying_key(
        params: veil_halo2::UniversalParams,
        vk: &veil_halo2::keys::Halo2VerifyingKey,
    ) -> Result<Self, veil_halo2::KeyError> {
        let keys = veil_halo2::Halo2Keys::regenerate(&params, vk)?;
        Ok(Self::new(params, keys))
    }

    /// The universal parameters.
    pub fn params(&self) -> &veil_halo2::UniversalParams {
        &self.params
    }

    /// The keys.
    pub fn keys(&self) -> &veil_halo2::Halo2Keys {
        &self.keys
    }

    /// Proves `witness` (already checked by `ComplianceWitness::build`) and
    /// verifies the proof before returning it, as the Groth16 prover does.
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        witness: &ComplianceWitness,
        rng: R,
    ) -> Result<(Vec<u8>, PublicInputs), ProveError> {
        let proof = self.prove_unchecked(witness, rng)?;
        veil_halo2::verify(&self.params, &self.vk, &proof, &witness.public)
            .map_err(|_| ProveError::SelfCheckFailed)?;
        Ok((proof, witness.public))
    }

    /// Proves without the self-check (soundness tests and benchmarks).
    pub fn prove_unchecked<R: RngCore + CryptoRng>(
        &self,
        witness: &ComplianceWitness,
        rng: R,
    ) -> Result<Vec<u8>, ProveError> {
        veil_halo2::prove(&self.params, &self.keys, witness, rng)
            .map(|p| p.bytes)
            .map_err(|e| ProveError::Halo2(e.to_string()))
    }
}

/// A prover of either system.
// One per process: the inline Groth16 prover's size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum SystemProver {
    /// Groth16.
    Groth16(Prover),
    /// halo2-KZG.
    #[cfg(feature = "halo2")]
    Halo2Kzg(Box<Halo2Prover>),
}

impl SystemProver {
    /// The system this prover proves with.
    pub fn system(&self) -> ProvingSystem {
        match self {
            SystemProver::Groth16(_) => ProvingSystem::Groth16,
            #[cfg(feature = "halo2")]
            SystemProver::Halo2Kzg(_) => ProvingSystem::Halo2Kzg,
        }
    }

    /// The prover for `keys`: Groth16's proving key as it is; halo2's
    /// proving key regenerated from the parameters, refused unless it
    /// reproduces the verifying key.
    pub fn from_keys(keys: ProverKeys) -> Result<Self, LoadError> {
        match keys {
            ProverKeys::Groth16(file) => {
                Ok(SystemProver::Groth16(Prover::from_key_file_contents(file)?))
            }
            #[cfg(feature = "halo2")]
            ProverKeys::Halo2Kzg { params, vk } => Halo2Prover::for_verifying_key(params, &vk)
                .map(|p| SystemProver::Halo2Kzg(Box::new(p)))
                .map_err(|e| LoadError::Halo2Keys(e.to_string())),
            // veil-system's halo2 keys, built for another crate, without
            // this crate's halo2 prover.
            #[allow(unreachable_patterns)]
            _ => Err(LoadError::NotBuilt(ProvingSystem::Halo2Kzg)),
        }
    }

    /// The prover of `system` for the keys in `dir`, every file checked.
    pub fn load(dir: &KeysDir, system: ProvingSystem) -> Result<Self, LoadError> {
        Self::from_keys(dir.load_prover(system)?)
    }

    /// Proves `witness`, self-checked; the proof carries its system.
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        witness: ComplianceWitness,
        rng: &mut R,
    ) -> Result<(SystemProof, PublicInputs), ProveError> {
        match self {
            SystemProver::Groth16(p) => {
                let (proof, public) = p.prove(witness, rng)?;
                Ok((SystemProof::Groth16(proof), public))
            }
            #[cfg(feature = "halo2")]
            SystemProver::Halo2Kzg(p) => {
                let (proof, public) = p.prove(&witness, rng)?;
                Ok((SystemProof::Halo2Kzg(proof), public))
            }
        }
    }
}
