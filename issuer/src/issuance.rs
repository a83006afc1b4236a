//! Issuing a ZK credential in one call: the claims a KYC provider asserts
//! about a holder, a fresh credential id, the issuer's EdDSA-Poseidon
//! signature over their hash (or, for a threshold issuer, the signing
//! request its officers sign with [`crate::frost`]), and the KYC record kept
//! under the new id for a later disclosure.

use crate::frost::{FrostError, IssuerGroup, SigningRequest};
#[cfg(feature = "store")]
use crate::records::{IssuerRecords, RecordError};
use rand::{CryptoRng, RngCore};
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::sanctions::{person_key, SanctionsError};
use veil_circuits::statement::{
    random_credential_id, risk_score, schema_hash, Claims, Credential, RiskScoreRange,
    WitnessError, KYC_SCHEMA,
};
use veil_circuits::F;

/// What the issuer asserts about one holder (days count from 1970-01-01, the
/// statement's calendar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRequest {
    /// The holder's commitment (from `veil holder keygen`): the credential is
    /// bound to the secret behind it.
    pub holder: F,
    /// Birth date.
    pub birth_date: u32,
    /// ISO 3166-1 numeric country.
    pub country: u16,
    /// 1 basic, 2 enhanced, 3 KYB.
    pub kyc_level: u8,
    /// 0 (none) to 1000 (severe).
    pub risk_score: u16,
    /// 0 person, 1 business, 2 machine.
    pub subject_type: u8,
    /// Issue date.
    pub issued_at: u32,
    /// Days of validity from the issue date.
    pub valid_days: u32,
    /// The holder's name as the KYC check established it: the person key
    /// (claim c10) that sanctions screening matches is made from it and the
    /// birth date. The name itself is not in the credential.
    pub name: String,
}

/// Why a credential was not issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The risk score is out of range.
    #[error(transparent)]
    RiskScore(#[from] RiskScoreRange),
    /// The name cannot make a person key (empty or too long).
    #[error(transparent)]
    Name(#[from] SanctionsError),
    /// The issue date plus the validity passes the calendar's end.
    #[error("valid_days: the expiry overflows")]
    ValidityOverflows,
    /// The schema does not hash (a build defect, never user input).
    #[error(transparent)]
    Schema(#[from] WitnessError),
    /// The threshold group is not usable.
    #[error(transparent)]
    Group(#[from] FrostError),
    /// The KYC record could not be kept: nothing was issued.
    #[cfg(feature = "store")]
    #[error(transparent)]
    Records(#[from] RecordError),
}

impl ClaimRequest {
    /// The claims, with a fresh random credential id (the id a proof's
    /// escrow carries and a disclosure opens).
    pub fn claims<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Claims, IssueError> {
        Ok(Claims {
            schema: schema_hash(KYC_SCHEMA)?,
            holder: self.holder,
            credential_id: random_credential_id(rng),
            birth_date: self.birth_date,
            country: self.country,
            kyc_level: self.kyc_level,
            risk_score: risk_score(self.risk_score)?,
            subject_type: self.subject_type,
            issued_at: self.issued_at,
            expires_at: self
                .issued_at
                .checked_add(self.valid_days)
                .ok_or(IssueError::ValidityOverflows)?,
            person_key: person_key(&self.name, self.birth_date)?,
        })
    }
}

/// The issuer's signature over `claims`: the credential the wallet proves with.
pub fn sign(key: &PrivateKey, claims: Claims) -> Credential {
    Credential {
        claims,
        issuer: key.public_key(),
        signature: key.sign(claims.hash()),
    }
}

/// Issues a credential with one key. With `record` (the issuer's store and
/// the subject's KYC data), the record is kept first, under the new id: a
/// credential is never handed out that a disclosure could not answer for.
#[cfg(feature = "store")]
pub fn issue<R: RngCore + CryptoRng>(
    key: &PrivateKey,
    request: &ClaimRequest,
    record: Option<(&IssuerRecords, serde_json::Value)>,
    rng: &mut R,
) -> Result<Credential, IssueError> {
    let credential = sign(key, request.claims(rng)?);
    if let Some((records, subject)) = record {
        let id = veil_circuits::encoding::field_to_decimal(&credential.claims.credential_id);
        records.record_issuance(&id, subject)?;
    }
    Ok(credential)
}

/// For a threshold issuer: the request its officers sign (claims with a
/// fresh id, no signature) after checking the group is usable.
pub fn signing_request<R: RngCore + CryptoRng>(
    group: &IssuerGroup,
    request: &ClaimRequest,
    rng: &mut R,
) -> Result<SigningRequest, IssueError> {
    group.public_key()?;
    Ok(SigningRequest::new(
        &request.claims(rng)?,
        &group.public_key,
    ))
}
