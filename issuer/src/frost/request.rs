//! What the signers of a threshold credential sign, as it passes between
//! them in a file (`veil issue --group` writes it, every signer and the
//! aggregator read it): the claims and the group key they are issued under.

use super::{malformed, FrostError, IssuerGroup, SigningCommitment, SigningPackage};
use serde::{Deserialize, Serialize};
use veil_circuits::eddsa::Signature;
use veil_circuits::statement::files::{ClaimsJson, PointJson};
use veil_circuits::statement::{Claims, Credential};
use veil_circuits::F;

/// A request to sign `claims` under the group key `issuer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningRequest {
    /// The claims.
    pub claims: ClaimsJson,
    /// The group's public key.
    pub issuer: PointJson,
}

impl SigningRequest {
    /// The request to sign `claims` under the group key `issuer`.
    pub fn new(claims: &Claims, issuer: &PointJson) -> Self {
        SigningRequest {
            claims: ClaimsJson::from_claims(claims),
            issuer: issuer.clone(),
        }
    }

    /// The message signed: the claims' hash.
    pub fn message(&self) -> Result<F, FrostError> {
        Ok(self
            .claims
            .to_claims()
            .map_err(|e| malformed(None, "request.claims", e))?
            .hash())
    }

    /// The signing package for this request from the signers' commitments,
    /// refusing a request made for another group's key.
    pub fn package(
        &self,
        group: &IssuerGroup,
        commitments: Vec<SigningCommitment>,
    ) -> Result<SigningPackage, FrostError> {
        if self.issuer != group.public_key {
            return Err(malformed(
                None,
                "request.issuer",
                "the request is for another issuer key than this group's",
            ));
        }
        SigningPackage::new(group, self.message()?, commitments)
    }

    /// The credential, once the group's `signature` is aggregated.
    pub fn credential(&self, signature: Signature) -> Result<Credential, FrostError> {
        Ok(Credential {
            claims: self
                .claims
                .to_claims()
                .map_err(|e| malformed(None, "request.claims", e))?,
            issuer: self
                .issuer
                .to_key("issuer")
                .map_err(|e| malformed(None, "request.issuer", e))?,
            signature,
        })
    }
}
