//! veil's two proving systems for the same statement, and a proof tagged with
//! the one that made it: Groth16 (a per-circuit ceremony; 128-byte proofs,
//! ~0.6 s to prove) and halo2 with KZG (one universal setup; 3.5 kB proofs,
//! ~8 s to prove). A proof always says which system made it
//! ([`SystemProof::system`]), so a verifier refuses a proof of the other
//! system instead of misreading it.

use crate::Proof;
use std::fmt;
use std::str::FromStr;

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
