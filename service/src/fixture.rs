//! Consistent sample requests from [`Sample`]: the documents a wallet would
//! send and the registry that trusts their issuer. For the tests, the load
//! generator and anyone trying the service without issuing first.

use crate::pb;
use rand::{CryptoRng, RngCore};
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, IssuerListJson, PaymentContextJson, PointJson, PolicyJson,
};
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::{Registry, RegistryError};

/// A sample's prove request and the registry it proves against.
pub struct SampleRequest {
    /// The sample.
    pub sample: Sample,
    /// Its documents as a request.
    pub request: pb::ProveRequest,
}

impl SampleRequest {
    /// A fresh sample from `rng`.
    pub fn new<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let sample = Sample::new(rng);
        let request = pb::ProveRequest {
            credential_json: json(&CredentialJson::from_credential(&sample.credential())),
            holder_json: json(&HolderJson::from_secret(sample.holder_secret)),
            policy_json: json(&PolicyJson::from_policy(&sample.policy)),
            context_json: json(&PaymentContextJson::from_context(&sample.context)),
            system: pb::ProofSystem::Groth16 as i32,
            request_id: String::new(),
        };
        SampleRequest { sample, request }
    }

    /// A registry trusting the sample's issuer, nothing revoked.
    pub fn registry(&self) -> Result<Registry, RegistryError> {
        Registry::new(&[self.sample.issuer_key.public_key()], &[])
    }

    /// The trusted-issuer list document for [`SampleRequest::registry`].
    pub fn issuer_list(&self) -> IssuerListJson {
        IssuerListJson {
            issuers: vec![PointJson::from_key(&self.sample.issuer_key.public_key())],
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // These documents are plain structs of strings and numbers.
    serde_json::to_string(value).unwrap_or_default()
}
