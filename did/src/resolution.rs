//! The vocabulary every way of resolving a DID shares — the W3C resolution
//! result ([`Resolution`], [`DocumentMetadata`]), where documents come from
//! ([`DidSource`]), the media types, and what an HTTP(S) endpoint answers
//! ([`HttpAnswer`]) — kept apart from the registry, the did:web site, the
//! remote client and the ssi methods so that each of those depends on it and
//! none on another (as ssi's `dids-core` sits under its methods).

use crate::document::DidDocument;
use crate::error::ResolutionError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The media type of resolved documents.
pub const DID_JSON: &str = "application/did+json";

/// Where the binding's resolutions live on a server.
pub const IDENTIFIERS_PATH: &str = "/1.0/identifiers/";
/// The media type of a DID resolution result.
pub const RESOLUTION_JSON: &str = "application/did-resolution";
/// The JSON-LD form Universal Resolver clients ask for, answered with the
/// same result.
pub const RESOLUTION_LD_JSON: &str =
    "application/ld+json;profile=\"https://w3id.org/did-resolution\"";

/// W3C DID document metadata. A did:web document fetched from its host
/// has none but `deactivated` (the host says nothing else).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentMetadata {
    /// When the DID was created.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created: String,
    /// When the resolved version was written (absent for version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The resolved version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version_id: String,
    /// The next version, when an older one was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_version_id: Option<String>,
    /// Present and true once deactivated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deactivated: bool,
}

/// A resolution result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The document.
    pub did_document: DidDocument,
    /// Its metadata.
    pub did_document_metadata: DocumentMetadata,
}

/// Where `did:veil` documents come from: the RocksDB [`crate::Registry`]
/// (feature `store`), or anything else that answers a DID at a version with
/// its document and metadata, so ssi's resolution does not depend on how the
/// registry is kept.
pub trait DidSource: Send + Sync {
    /// The document of `did` at `version` (the latest when `None`).
    fn resolve(&self, did: &str, version: Option<u64>) -> Result<Resolution, ResolutionError>;
}

/// The resolution result (`didResolutionMetadata`, `didDocument`,
/// `didDocumentMetadata`) of an outcome, as the spec shapes it: an error
/// has a null document and empty document metadata.
pub fn resolution_result(outcome: &Result<Resolution, ResolutionError>) -> Value {
    match outcome {
        Ok(r) => json!({
            "didResolutionMetadata": { "contentType": DID_JSON },
            "didDocument": r.did_document,
            "didDocumentMetadata": r.did_document_metadata,
        }),
        Err(e) => error_result(e.code(), &e.to_string()),
    }
}

fn error_result(code: &str, message: &str) -> Value {
    json!({
        "didResolutionMetadata": { "error": code, "errorMessage": message },
        "didDocument": null,
        "didDocumentMetadata": {},
    })
}

/// What the endpoint sends back: status, media type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// HTTP status: 200, or the binding's code for the error (400
    /// `invalidDid`, 404 `notFound`, 406 `representationNotSupported`, 410
    /// for a deactivated DID, 501 `methodNotSupported`, 500).
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body (JSON).
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub(crate) fn json(status: u16, content_type: &'static str, value: &Value) -> Self {
        HttpAnswer {
            status,
            content_type,
            body: serde_json::to_vec_pretty(value).unwrap_or_default(),
        }
    }

    pub(crate) fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(status, RESOLUTION_JSON, &error_result(code, message))
    }
}
