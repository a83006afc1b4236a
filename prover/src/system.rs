//! One interface over veil's two proving systems for the same statement:
//! Groth16 (a per-circuit ceremony; 128-byte proofs, ~0.6 s to prove) and
//! halo2 with KZG (one universal setup; 3.5 kB proofs, ~8 s to prove). A
//! proof always says which system made it ([`SystemProof::system`]); a
//! verifier refuses a proof of the other system instead of misreading it.
//!
//! halo2 proving is behind this crate's `halo2` feature (the wasm wallet
//! builds without it).

use crate::{Proof, ProveError, Prover};
use rand::{CryptoRng, RngCore};
use std::fmt;
use std::str::FromStr;
use veil_circuits::statement::{ComplianceWitness, PublicInputs};

/// Which proving system made (or is to make) a proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ProvingSystem {
    /// Groth16 over BN254 (arkworks).
    #[default]
    Groth16,
    /// halo2 (PLONKish) with KZG commitments over BN254 (halo2-axiom).
    Halo2Kzg,
}

impl ProvingSystem {
    /// Both systems.
    pub const ALL: [ProvingSystem; 2] = [ProvingSystem::Groth16, ProvingSystem::Halo2Kzg];

    /// The name used on the command line, in files and in the service's
    /// requests: `groth16` or `halo2`.
    pub fn name(self) -> &'static str {
        match self {
            ProvingSystem::Groth16 => "groth16",
            ProvingSystem::Halo2Kzg => "halo2",
        }
    }
}

impl fmt::Display for ProvingSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a proving system.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown proving system {0:?}: expected groth16 or halo2")]
pub struct UnknownSystem(pub String);

impl FromStr for ProvingSystem {
    type Err = UnknownSystem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "groth16" => Ok(ProvingSystem::Groth16),
            "halo2" | "halo2-kzg" | "halo2kzg" => Ok(ProvingSystem::Halo2Kzg),
            _ => Err(UnknownSystem(s.to_string())),
        }
    }
}

/// A proof of the statement, tagged with its system.
// A Groth16 proof is 264 bytes inline, the common case: boxing it would cost
// an allocation per proof to save 240 bytes on the halo2 variant.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum SystemProof {
    /// A Groth16 proof.
    Groth16(Proof),
    /// A halo2-KZG proof (GWC19, EVM transcript bytes).
    Halo2Kzg(Vec<u8>),
}

impl SystemProof {
    /// The system that made the proof.
    pub fn system(&self) -> ProvingSystem {
        match self {
            SystemProof::Groth16(_) => ProvingSystem::Groth16,
            SystemProof::Halo2Kzg(_) => ProvingSystem::Halo2Kzg,
        }
    }
}

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
