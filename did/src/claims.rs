//! The KYC claims as a credential shows them (readable: ISO dates, country
//! code, named levels and subject types) and their exact circuit encoding
//! (`docs/statement.md`). Conversion in both directions is exact: a value
//! that does not encode (a date before 1970, an unknown country, a level out
//! of range) is an error naming the field.

use crate::error::VcError;
use serde::{Deserialize, Serialize};
use veil_circuits::day::Day;
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::statement::{risk_score, schema_hash, Claims};

/// The schema name of veil's KYC credential.
pub const SCHEMA: &str = veil_circuits::statement::KYC_SCHEMA;

/// `credentialSubject` of a `KycCredential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KycSubject {
    /// The holder's DID, when the wallet has one (not part of the ZK claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Schema name (`veil.kyc.v1`).
    pub schema: String,
    /// `H(holder_secret)`, decimal.
    pub holder_commitment: String,
    /// The credential id (the revocation key), decimal.
    pub credential_id: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// `basic`, `enhanced` or `kyb`.
    pub kyc_level: String,
    /// 0 (none) to 1000 (severe).
    pub risk_score: u16,
    /// `person`, `business` or `machine`.
    pub subject_type: String,
    /// Issue date, `YYYY-MM-DD` (also the credential's `validFrom`).
    pub issued_at: String,
    /// Expiry date, `YYYY-MM-DD` (also its `validUntil`).
    pub expires_at: String,
    /// The key sanctions lists are matched on, decimal: a hash of the
    /// normalised name and birth date (`veil_circuits::sanctions`). Whoever
    /// holds the VC can test guessed names against it, so it is as private
    /// as the birth date beside it.
    pub person_key: String,
}

const LEVELS: [&str; 3] = ["basic", "enhanced", "kyb"];
const SUBJECTS: [&str; 3] = ["person", "business", "machine"];

/// `YYYY-MM-DD` of a day count since 1970-01-01 ([`Day`], the statement's
/// one calendar).
pub fn iso_date(days: u32) -> String {
    Day(days).iso()
}

/// Days since 1970-01-01 of a canonical `YYYY-MM-DD`; `field` names it in
/// the error.
pub fn parse_date(field: &'static str, s: &str) -> Result<u32, VcError> {
    Day::parse_iso(s)
        .map(u32::from)
        .map_err(|e| VcError::field(field, e.to_string()))
}

/// `YYYY-MM-DDT00:00:00Z` of a day.
pub fn midnight(days: u32) -> String {
    Day(days).midnight()
}

/// The day of a `YYYY-MM-DDT00:00:00Z` timestamp (validity bounds are whole days).
pub fn parse_midnight(field: &'static str, s: &str) -> Result<u32, VcError> {
    Day::parse_midnight(s)
        .map(u32::from)
        .map_err(|e| VcError::field(field, e.to_string()))
}

fn country_alpha2(numeric: u16) -> Result<String, VcError> {
    isocountry::CountryCode::for_id(u32::from(numeric))
        .map(|c| c.alpha2().to_owned())
        .map_err(|_| VcError::field("country", format!("{numeric} is not an ISO 3166-1 code")))
}

fn country_numeric(alpha2: &str) -> Result<u16, VcError> {
    let c = isocountry::CountryCode::for_alpha2(alpha2).map_err(|_| {
        VcError::field(
            "country",
            format!("{alpha2:?} is not an ISO 3166-1 alpha-2 code"),
        )
    })?;
    u16::try_from(c.numeric_id()).map_err(|_| VcError::field("country", "out of range"))
}

fn named(field: &'static str, names: &[&str], value: u8, base: u8) -> Result<String, VcError> {
    value
        .checked_sub(base)
        .and_then(|i| names.get(usize::from(i)))
        .map(|s| s.to_string())
        .ok_or_else(|| VcError::field(field, format!("{value} has no name")))
}

fn unnamed(field: &'static str, names: &[&str], value: &str, base: u8) -> Result<u8, VcError> {
    names
        .iter()
        .position(|n| *n == value)
        .and_then(|i| u8::try_from(i).ok())
        .map(|i| i + base)
        .ok_or_else(|| VcError::field(field, format!("{value:?} is not one of {names:?}")))
}

impl KycSubject {
    /// The readable subject of circuit claims.
    pub fn from_claims(claims: &Claims, holder_did: Option<String>) -> Result<Self, VcError> {
        if claims.schema
            != schema_hash(SCHEMA).map_err(|e| VcError::field("schema", e.to_string()))?
        {
            return Err(VcError::field("schema", "not veil.kyc.v1"));
        }
        Ok(KycSubject {
            id: holder_did,
            schema: SCHEMA.into(),
            holder_commitment: field_to_decimal(&claims.holder),
            credential_id: field_to_decimal(&claims.credential_id),
            birth_date: iso_date(claims.birth_date),
            country: country_alpha2(claims.country)?,
            kyc_level: named("kycLevel", &LEVELS, claims.kyc_level, 1)?,
            risk_score: claims.risk_score,
            subject_type: named("subjectType", &SUBJECTS, claims.subject_type, 0)?,
            issued_at: iso_date(claims.issued_at),
            expires_at: iso_date(claims.expires_at),
            person_key: field_to_decimal(&claims.person_key),
        })
    }

    /// The circuit's claims; `valid_from` and `valid_until` (days) are the
    /// credential's validity bounds, which must agree with the claims' dates.
    pub fn to_claims(&self, valid_from: u32, valid_until: u32) -> Result<Claims, VcError> {
        let issued_at = parse_date("credentialSubject.issuedAt", &self.issued_at)?;
        let expires_at = parse_date("credentialSubject.expiresAt", &self.expires_at)?;
        if issued_at != valid_from || expires_at != valid_until {
            return Err(VcError::field(
                "credentialSubject.issuedAt",
                "issuedAt/expiresAt differ from the credential's validity period",
            ));
        }
        if self.schema != SCHEMA {
            return Err(VcError::field(
                "credentialSubject.schema",
                format!("{:?} is not {SCHEMA}", self.schema),
            ));
        }
        Ok(Claims {
            schema: schema_hash(SCHEMA).map_err(|e| VcError::field("schema", e.to_string()))?,
            holder: field_from_decimal(&self.holder_commitment)
                .map_err(|e| VcError::field("credentialSubject.holderCommitment", e.to_string()))?,
            credential_id: field_from_decimal(&self.credential_id)
                .map_err(|e| VcError::field("credentialSubject.credentialId", e.to_string()))?,
            birth_date: parse_date("credentialSubject.birthDate", &self.birth_date)?,
            country: country_numeric(&self.country)?,
            kyc_level: unnamed("credentialSubject.kycLevel", &LEVELS, &self.kyc_level, 1)?,
            risk_score: risk_score(self.risk_score)
                .map_err(|e| VcError::field("credentialSubject.riskScore", e.to_string()))?,
            subject_type: unnamed(
                "credentialSubject.subjectType",
                &SUBJECTS,
                &self.subject_type,
                0,
            )?,
            issued_at,
            expires_at,
            person_key: field_from_decimal(&self.person_key)
                .map_err(|e| VcError::field("credentialSubject.personKey", e.to_string()))?,
        })
    }
}
