//! JSON documents a wallet, an issuer and a verifier exchange: keys, the ZK
//! credential, the policy, the payment context, and the trusted-issuer and
//! revocation lists. Small integers are JSON numbers (serde refuses values out
//! of their bit width); field elements are canonical decimal strings; points
//! are `{ "x", "y" }`. Reading checks everything the types promise (points
//! on the curve and in the subgroup, scalars below their order) and names the
//! field that failed.

use super::witness::{Claims, Credential, PaymentContext, Policy};
use crate::babyjubjub::{base8, Scalar};
use crate::eddsa::{PrivateKey, PublicKey, Signature, SignatureError};
use crate::encoding::{
    field_from_decimal, field_to_decimal, prime_field_from_decimal, DecodeError,
};
use crate::F;
use ark_ec::CurveGroup;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};

/// Why a document was refused.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Not JSON of the document's form (the message names the field).
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A number that is not a canonical field element or scalar.
    #[error("{field}: {source}")]
    Number {
        /// Which field.
        field: &'static str,
        /// The cause.
        source: DecodeError,
    },
    /// Two fields that must agree do not.
    #[error("{field} does not match {other}")]
    Mismatch {
        /// The field that disagrees.
        field: &'static str,
        /// What it should match.
        other: &'static str,
    },
    /// A key or signature that is not valid.
    #[error("{field}: {source}")]
    Key {
        /// Which field.
        field: &'static str,
        /// The cause.
        source: SignatureError,
    },
    /// A field the document must have is absent.
    #[error("no {field}")]
    Missing {
        /// Which field.
        field: &'static str,
    },
}

fn number(field: &'static str) -> impl Fn(DecodeError) -> DocumentError {
    move |source| DocumentError::Number { field, source }
}

fn key(field: &'static str) -> impl Fn(SignatureError) -> DocumentError {
    move |source| DocumentError::Key { field, source }
}

/// A point as `{ "x": "…", "y": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointJson {
    /// x, decimal.
    pub x: String,
    /// y, decimal.
    pub y: String,
}

impl PointJson {
    /// The JSON form of a public key.
    pub fn from_key(key: &PublicKey) -> Self {
        PointJson {
            x: field_to_decimal(&key.0.x),
            y: field_to_decimal(&key.0.y),
        }
    }

    /// The public key, validated.
    pub fn to_key(&self, field: &'static str) -> Result<PublicKey, DocumentError> {
        PublicKey::from_coords(
            field_from_decimal(&self.x).map_err(number(field))?,
            field_from_decimal(&self.y).map_err(number(field))?,
        )
        .map_err(key(field))
    }
}

/// An issuer's Baby Jubjub key pair (keep the file private).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuerKeyJson {
    /// The 32-byte private key, hex.
    pub private_key: String,
    /// Its public key.
    pub public_key: PointJson,
}

impl IssuerKeyJson {
    /// The document for `key`.
    pub fn from_key(key: &PrivateKey) -> Self {
        IssuerKeyJson {
            private_key: key.to_bytes().iter().map(|b| format!("{b:02x}")).collect(),
            public_key: PointJson::from_key(&key.public_key()),
        }
    }

    /// The private key; refuses a file whose public key does not match it.
    pub fn to_key(&self) -> Result<PrivateKey, DocumentError> {
        let private = PrivateKey::from_hex(&self.private_key).map_err(number("private_key"))?;
        let public = self.public_key.to_key("public_key")?;
        if private.public_key() != public {
            return Err(mismatch("public_key", "the private key"));
        }
        Ok(private)
    }
}

fn mismatch(field: &'static str, other: &'static str) -> DocumentError {
    DocumentError::Mismatch { field, other }
}

/// A regulator's escrow key pair (keep the file private).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegulatorKeyJson {
    /// The secret scalar, decimal, below the subgroup order.
    pub secret: String,
    /// `secret·Base8`.
    pub public_key: PointJson,
}

impl RegulatorKeyJson {
    /// The document for `secret`.
    pub fn from_secret(secret: &Scalar) -> Self {
        let public = PublicKey((base8() * secret).into_affine());
        RegulatorKeyJson {
            secret: BigUint::from(ark_ff::PrimeField::into_bigint(*secret)).to_string(),
            public_key: PointJson::from_key(&public),
        }
    }

    /// The secret; refuses a file whose public key does not match it.
    pub fn to_secret(&self) -> Result<Scalar, DocumentError> {
        let secret: Scalar = prime_field_from_decimal(&self.secret, "Baby Jubjub subgroup order")
            .map_err(number("secret"))?;
        let public = self.public_key.to_key("public_key")?;
        if (base8() * secret).into_affine() != public.0 {
            return Err(mismatch("public_key", "the secret"));
        }
        Ok(secret)
    }
}

/// A holder's secret and the commitment an issuer puts in the credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HolderJson {
    /// The secret, decimal (keep the file private).
    pub secret: String,
    /// `H(secret)`, decimal: what the holder gives the issuer.
    pub commitment: String,
}

impl HolderJson {
    /// The document for `secret`.
    pub fn from_secret(secret: F) -> Self {
        HolderJson {
            secret: field_to_decimal(&secret),
            commitment: field_to_decimal(&super::holder_commitment(secret)),
        }
    }

    /// The secret; refuses a file whose commitment does not match it.
    pub fn to_secret(&self) -> Result<F, DocumentError> {
        let secret = field_from_decimal(&self.secret).map_err(number("secret"))?;
        let commitment = field_from_decimal(&self.commitment).map_err(number("commitment"))?;
        if super::holder_commitment(secret) != commitment {
            return Err(mismatch("commitment", "H(secret)"));
        }
        Ok(secret)
    }
}

/// The eleven claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsJson {
    /// c0, decimal.
    pub schema: String,
    /// c1, decimal.
    pub holder: String,
    /// c2, decimal.
    pub credential_id: String,
    /// c3, days.
    pub birth_date: u32,
    /// c4, ISO numeric.
    pub country: u16,
    /// c5.
    pub kyc_level: u8,
    /// c6.
    pub risk_score: u16,
    /// c7.
    pub subject_type: u8,
    /// c8, days.
    pub issued_at: u32,
    /// c9, days.
    pub expires_at: u32,
    /// c10, decimal: the person key sanctions lists are matched on.
    pub person_key: String,
}

/// An EdDSA-Poseidon signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureJson {
    /// R8.
    pub r8: PointJson,
    /// S, decimal, below the subgroup order.
    pub s: String,
}

impl ClaimsJson {
    /// The document for `k`.
    pub fn from_claims(k: &Claims) -> Self {
        ClaimsJson {
            schema: field_to_decimal(&k.schema),
            holder: field_to_decimal(&k.holder),
            credential_id: field_to_decimal(&k.credential_id),
            birth_date: k.birth_date,
            country: k.country,
            kyc_level: k.kyc_level,
            risk_score: k.risk_score,
            subject_type: k.subject_type,
            issued_at: k.issued_at,
            expires_at: k.expires_at,
            person_key: field_to_decimal(&k.person_key),
        }
    }

    /// The claims, every number checked.
    pub fn to_claims(&self) -> Result<Claims, DocumentError> {
        Ok(Claims {
            schema: field_from_decimal(&self.schema).map_err(number("claims.schema"))?,
            holder: field_from_decimal(&self.holder).map_err(number("claims.holder"))?,
            credential_id: field_from_decimal(&self.credential_id)
                .map_err(number("claims.credential_id"))?,
            birth_date: self.birth_date,
            country: self.country,
            kyc_level: self.kyc_level,
            risk_score: self.risk_score,
            subject_type: self.subject_type,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            person_key: field_from_decimal(&self.person_key)
                .map_err(number("claims.person_key"))?,
        })
    }
}

/// The ZK credential a wallet holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialJson {
    /// The claims.
    pub claims: ClaimsJson,
    /// The issuer's Baby Jubjub key.
    pub issuer: PointJson,
    /// The issuer's signature on the claims hash.
    pub signature: SignatureJson,
}

impl CredentialJson {
    /// The document for `credential`.
    pub fn from_credential(c: &Credential) -> Self {
        CredentialJson {
            claims: ClaimsJson::from_claims(&c.claims),
            issuer: PointJson::from_key(&c.issuer),
            signature: SignatureJson {
                r8: PointJson {
                    x: field_to_decimal(&c.signature.r8.x),
                    y: field_to_decimal(&c.signature.r8.y),
                },
                s: BigUint::from(ark_ff::PrimeField::into_bigint(c.signature.s)).to_string(),
            },
        }
    }

    /// The credential, every value checked (the signature itself is checked
    /// by the witness builder, which says so by name).
    pub fn to_credential(&self) -> Result<Credential, DocumentError> {
        Ok(Credential {
            claims: self.claims.to_claims()?,
            issuer: self.issuer.to_key("issuer")?,
            signature: Signature::from_decimal(
                &self.signature.r8.x,
                &self.signature.r8.y,
                &self.signature.s,
            )
            .map_err(key("signature"))?,
        })
    }
}

/// A verifier's policy, with its hash for reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyJson {
    /// The credential schema the policy reads (default `veil.kyc.v1`).
    #[serde(default = "kyc_schema")]
    pub schema: String,
    /// Minimum age, days.
    pub min_age_days: u32,
    /// Maximum risk score.
    pub max_risk: u16,
    /// Minimum KYC level.
    pub min_kyc_level: u8,
    /// Allowed subject types, bit t for type t.
    pub subject_type_mask: u8,
    /// Barred ISO numeric country codes (at most 16).
    pub barred_countries: Vec<u16>,
    /// The regulator's escrow key.
    pub regulator_key: PointJson,
}

fn kyc_schema() -> String {
    super::KYC_SCHEMA.into()
}

impl PolicyJson {
    /// The document for `policy`.
    pub fn from_policy(p: &Policy) -> Self {
        PolicyJson {
            schema: p.schema.clone(),
            min_age_days: p.min_age_days,
            max_risk: p.max_risk,
            min_kyc_level: p.min_kyc_level,
            subject_type_mask: p.subject_type_mask,
            barred_countries: p.barred_countries.clone(),
            regulator_key: PointJson::from_key(&p.regulator_key),
        }
    }

    /// The policy.
    pub fn to_policy(&self) -> Result<Policy, DocumentError> {
        Ok(Policy {
            schema: self.schema.clone(),
            min_age_days: self.min_age_days,
            max_risk: self.max_risk,
            min_kyc_level: self.min_kyc_level,
            subject_type_mask: self.subject_type_mask,
            barred_countries: self.barred_countries.clone(),
            regulator_key: self.regulator_key.to_key("regulator_key")?,
        })
    }
}

/// What a proof is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentContextJson {
    /// Today, days since 1970-01-01.
    pub today: u32,
    /// The nullifier's scope, decimal.
    pub scope: String,
    /// The payment hash, decimal.
    pub payment_hash: String,
}

impl PaymentContextJson {
    /// The document for `c`.
    pub fn from_context(c: &PaymentContext) -> Self {
        PaymentContextJson {
            today: c.today,
            scope: field_to_decimal(&c.scope),
            payment_hash: field_to_decimal(&c.payment_hash),
        }
    }

    /// The context.
    pub fn to_context(&self) -> Result<PaymentContext, DocumentError> {
        Ok(PaymentContext {
            today: self.today,
            scope: field_from_decimal(&self.scope).map_err(number("scope"))?,
            payment_hash: field_from_decimal(&self.payment_hash).map_err(number("payment_hash"))?,
        })
    }
}

/// The trusted issuers, in tree order (leaf i is issuer i).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerListJson {
    /// Issuer keys.
    pub issuers: Vec<PointJson>,
}

impl IssuerListJson {
    /// The keys.
    pub fn to_keys(&self) -> Result<Vec<PublicKey>, DocumentError> {
        self.issuers.iter().map(|p| p.to_key("issuers[]")).collect()
    }
}

/// The revoked credential ids, in revocation order: the order is the
/// revocation tree's layout (`veil_circuits::imt`), so a wallet rebuilds the
/// issuer's root only from the list as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationListJson {
    /// Credential ids, decimal, `1..2^248`, in revocation order.
    pub revoked: Vec<String>,
}

impl RevocationListJson {
    /// The ids.
    pub fn to_ids(&self) -> Result<Vec<F>, DocumentError> {
        self.revoked
            .iter()
            .map(|s| field_from_decimal(s).map_err(number("revoked[]")))
            .collect()
    }
}

// --- Reading and writing the documents ------------------------------------

/// Why a document file could not be read or written: names the file, so every
/// tool (the `veil` CLI, the regulator's, the bindings) reports it the same way.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not the document it should be.
    #[error("{}: {source}", path.display())]
    Document {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        source: DocumentError,
    },
}

impl FileError {
    fn document(path: &std::path::Path, source: impl Into<DocumentError>) -> Self {
        FileError::Document {
            path: path.to_owned(),
            source: source.into(),
        }
    }
}

/// Reads a text file.
pub fn read_text(path: &std::path::Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads a JSON document.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, FileError> {
    serde_json::from_str(&read_text(path)?).map_err(|e| FileError::document(path, e))
}

/// Reads a JSON document and converts it to its checked type
/// (`PolicyJson::to_policy`, …), naming the file in any error.
pub fn read_document<T: serde::de::DeserializeOwned, U>(
    path: &std::path::Path,
    convert: impl FnOnce(&T) -> Result<U, DocumentError>,
) -> Result<U, FileError> {
    convert(&read_json::<T>(path)?).map_err(|e| FileError::document(path, e))
}

/// Writes a text file.
pub fn write_text(path: &std::path::Path, text: &str) -> Result<(), FileError> {
    std::fs::write(path, text).map_err(|source| FileError::Write {
        path: path.to_owned(),
        source,
    })
}

fn pretty<T: Serialize>(path: &std::path::Path, value: &T) -> Result<String, FileError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| FileError::document(path, e))?;
    text.push('\n');
    Ok(text)
}

/// Writes a JSON document (pretty, newline-terminated).
pub fn write_json<T: Serialize>(path: &std::path::Path, value: &T) -> Result<(), FileError> {
    write_text(path, &pretty(path, value)?)
}

/// Writes `bytes` to `path` readable by its owner only (0600 on Unix),
/// synced: for key files, shares and nonces.
#[cfg(unix)]
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes `bytes` to `path` (no owner-only mode off Unix).
#[cfg(not(unix))]
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Writes a JSON document readable by its owner only (keys, shares).
pub fn write_private_json<T: Serialize>(
    path: &std::path::Path,
    value: &T,
) -> Result<(), FileError> {
    write_private(path, pretty(path, value)?.as_bytes()).map_err(|source| FileError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The public key in a key, group or share file (the regulator's escrow key
/// or the issuer's signing key): its `public_key`, or its group's.
pub fn public_key_of(path: &std::path::Path) -> Result<PointJson, FileError> {
    let value: serde_json::Value = read_json(path)?;
    let key = value
        .get("public_key")
        .or_else(|| value.get("group").and_then(|g| g.get("public_key")))
        .ok_or(DocumentError::Missing {
            field: "public_key (expected a key, group or share file)",
        })
        .map_err(|e| FileError::document(path, e))?;
    serde_json::from_value(key.clone()).map_err(|e| FileError::document(path, e))
}
