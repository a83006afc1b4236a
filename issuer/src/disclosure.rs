//! The issuer's side of a disclosure: it answers only a request the
//! regulator logged and t officials released for
//! ([`veil_audit::disclosure::check`]: the same checks their tools ran), with
//! the KYC record behind the credential id the escrow held. Nothing else
//! opens a record.

use crate::records::{IssuerRecords, KycRecord, RecordError};
use serde::{Deserialize, Serialize};
use veil_audit::disclosure::{self, DisclosureError, DisclosureRequest};
use veil_circuits::encoding::field_to_decimal;

/// Why the issuer does not answer.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// The request fails the regulator-side checks (not logged, not
    /// released, altered…).
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
    /// The issuer has no record of this credential.
    #[error("no KYC record for credential {0}")]
    UnknownCredential(String),
    /// The issuer's store failed.
    #[error(transparent)]
    Records(#[from] RecordError),
}

/// What the issuer hands back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The log entry disclosed.
    pub entry_index: u64,
    /// The log's record of the request.
    pub record_index: u64,
    /// The regulator's grounds.
    pub grounds: String,
    /// The credential id the escrow held.
    pub credential_id: String,
    /// The issuer's KYC record.
    pub record: KycRecord,
}

/// Step 4, the issuer: checks the request and looks the credential up.
pub fn answer(
    request: &DisclosureRequest,
    trusted_log: &str,
    records: &IssuerRecords,
) -> Result<Disclosure, AnswerError> {
    let id = field_to_decimal(&disclosure::check(request, trusted_log)?);
    let record = records
        .get(&id)?
        .ok_or_else(|| AnswerError::UnknownCredential(id.clone()))?;
    Ok(Disclosure {
        entry_index: request.body.entry_index,
        record_index: request.record_index,
        grounds: request.body.grounds.clone(),
        credential_id: id,
        record,
    })
}
