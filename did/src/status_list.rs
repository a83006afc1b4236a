//! The W3C Bitstring Status List format: a credential's
//! `BitstringStatusListEntry`, the signed list credential, and reading a
//! bit. The issuer's store of which bits are set lives in veil-issuer's `status`;
//! verifying a list's proof in [`crate::vc`].

use crate::error::VcError;
use crate::resolver::VeilResolver;
use crate::signer::{Signer, SsiSigner};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ssi::claims::data_integrity::{AnySuite, CryptographicSuite, ProofOptions};
use ssi::status::bitstring_status_list::{BitString, EncodedList, StatusSize};
use ssi::verification_methods::LocalSigner;

/// A `BitstringStatusListEntry` (revocation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    /// `<list>#<index>`.
    pub id: String,
    /// `BitstringStatusListEntry`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `revocation`.
    pub status_purpose: String,
    /// Index in the list, decimal string.
    pub status_list_index: String,
    /// URL of the status list credential.
    pub status_list_credential: String,
}

impl StatusEntry {
    /// The entry for `index` in the list at `list_url`.
    pub fn revocation(list_url: &str, index: u64) -> Self {
        StatusEntry {
            id: format!("{list_url}#{index}"),
            kind: "BitstringStatusListEntry".into(),
            status_purpose: "revocation".into(),
            status_list_index: index.to_string(),
            status_list_credential: list_url.into(),
        }
    }

    /// The index, checked.
    pub fn index(&self) -> Result<u64, VcError> {
        self.status_list_index
            .parse()
            .map_err(|_| VcError::field("credentialStatus.statusListIndex", "not a number"))
    }
}

/// How long a signed status list is valid: the issuer re-publishes it at
/// least this often, and a verifier refuses an older one, so a list from
/// before a revocation cannot be replayed for longer than this.
pub const STATUS_LIST_TTL_HOURS: i64 = 24;

/// A status list (its encoded bits) as a signed
/// `BitstringStatusListCredential` (VC 2.0, `eddsa-rdfc-2022`), published at
/// `url` by `issuer_did` with the key `key_fragment` names, valid from now
/// for [`STATUS_LIST_TTL_HOURS`].
pub async fn sign_list(
    resolver: &VeilResolver,
    issuer_did: &str,
    key: &dyn Signer,
    key_fragment: &str,
    url: &str,
    encoded: EncodedList,
) -> Result<serde_json::Value, VcError> {
    let now = chrono::Utc::now();
    let until = now + chrono::Duration::hours(STATUS_LIST_TTL_HOURS);
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let vc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": stamp(now),
        "validUntil": stamp(until),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        }
    });
    let credential: ssi::claims::vc::v2::JsonCredential =
        serde_json::from_value(vc).map_err(|e| VcError::Json(e.to_string()))?;
    let vm: ssi::dids::DIDURLBuf = format!("{issuer_did}#{key_fragment}")
        .parse()
        .map_err(|_| VcError::field("issuer", "not a DID URL"))?;
    let signer = LocalSigner(SsiSigner(key));
    let mut options = ProofOptions::from_method(vm.into_iri().into());
    options.created = crate::signer::created_now();
    let signed = AnySuite::EdDsaRdfc2022
        .sign(
            credential,
            &crate::resolver::vm_resolver(resolver),
            &signer,
            options,
        )
        .await
        .map_err(|e| VcError::Signing(e.to_string()))?;
    serde_json::to_value(&signed).map_err(|e| VcError::Json(e.to_string()))
}

/// Whether `entry`'s bit is set in a status list credential (after the
/// list's own proof was verified by [`crate::vc::verify_status_list`]).
pub fn is_set(list: &serde_json::Value, entry: &StatusEntry) -> Result<bool, VcError> {
    let encoded = list
        .pointer("/credentialSubject/encodedList")
        .and_then(|v| v.as_str())
        .ok_or_else(|| VcError::field("credentialSubject.encodedList", "missing"))?;
    let bytes = EncodedList::new(encoded.to_owned())
        .decode(None)
        .map_err(|e| VcError::field("credentialSubject.encodedList", e.to_string()))?;
    let index = entry.index()?;
    BitString::from_bytes(bytes)
        .get(StatusSize::DEFAULT, index as usize)
        .map(|b| b == 1)
        .ok_or_else(|| VcError::field("credentialStatus.statusListIndex", "beyond the list"))
}
