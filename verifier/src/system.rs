//! Verification for either proving system behind one key type: a
//! [`SystemKey`] checks a [`SystemProof`] of its own system and refuses one
//! of the other ([`VerifyError::WrongSystem`]) rather than misreading it.
//! halo2 verification is behind this crate's `halo2` feature.

use crate::{PreparedKey, VerifyError};
use veil_circuits::statement::PublicInputs;
use veil_system::{ProvingSystem, SystemProof, VerifierKeys};

/// Verifies halo2-KZG proofs: the universal parameters' verifier side and
/// the statement's verifying key.
#[cfg(feature = "halo2")]
pub struct Halo2Verifier {
    params: veil_halo2::UniversalParams,
    vk: veil_halo2::keys::Halo2VerifyingKey,
}

#[cfg(feature = "halo2")]
impl Halo2Verifier {
    /// A verifier for `vk` under `params`.
    pub fn new(
        params: veil_halo2::UniversalParams,
        vk: veil_halo2::keys::Halo2VerifyingKey,
    ) -> Self {
        Halo2Verifier { params, vk }
    }

    /// The verifying key.
    pub fn verifying_key(&self) -> &veil_halo2::keys::Halo2VerifyingKey {
        &self.vk
    }

    /// The universal parameters.
    pub fn params(&self) -> &veil_halo2::UniversalParams {
        &self.params
    }

    /// Verifies proof bytes for the ten public inputs.
    pub fn verify(&self, proof: &[u8], public: &PublicInputs) -> Result<(), VerifyError> {
        veil_halo2::verify(&self.params, &self.vk, proof, public).map_err(|_| VerifyError::Rejected)
    }
}

/// A verifying key of either system.
// Long-lived, a few per process: the inline prepared Groth16 key's size does
// not matter.
#[allow(clippy::large_enum_variant)]
pub enum SystemKey {
    /// A prepared Groth16 key.
    Groth16(PreparedKey),
    /// A halo2-KZG verifier.
    #[cfg(feature = "halo2")]
    Halo2Kzg(Box<Halo2Verifier>),
}

impl SystemKey {
    /// The system this key verifies.
    pub fn system(&self) -> ProvingSystem {
        match self {
            SystemKey::Groth16(_) => ProvingSystem::Groth16,
            #[cfg(feature = "halo2")]
            SystemKey::Halo2Kzg(_) => ProvingSystem::Halo2Kzg,
        }
    }

    /// The verifier for `keys`: a Groth16 key prepared (its input count
    /// checked), halo2's parameters and key as they are.
    pub fn from_keys(keys: VerifierKeys) -> Result<Self, VerifyError> {
        match keys {
            VerifierKeys::Groth16(vk) => Ok(SystemKey::Groth16(PreparedKey::new(&vk)?)),
            #[cfg(feature = "halo2")]
            VerifierKeys::Halo2Kzg { params, vk } => Ok(SystemKey::Halo2Kzg(Box::new(
                Halo2Verifier::new(params, vk),
            ))),
            // veil-system's halo2 keys, built for another crate, without
            // this crate's halo2 verifier.
            #[allow(unreachable_patterns)]
            _ => Err(VerifyError::NotBuilt(ProvingSystem::Halo2Kzg)),
        }
    }

    /// Verifies `proof` for the statement's public inputs.
    pub fn verify_statement(
        &self,
        proof: &SystemProof,
        public: &PublicInputs,
    ) -> Result<(), VerifyError> {
        match (self, proof) {
            (SystemKey::Groth16(key), SystemProof::Groth16(p)) => key.verify_statement(p, public),
            #[cfg(feature = "halo2")]
            (SystemKey::Halo2Kzg(key), SystemProof::Halo2Kzg(p)) => key.verify(p, public),
            _ => Err(VerifyError::WrongSystem {
                key: self.system(),
                proof: proof.system(),
            }),
        }
    }
}
