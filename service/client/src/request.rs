//! A `ProveRequest`'s documents read and checked before any work, with the
//! field that is wrong named: the server's handlers, its job queue and the
//! fuzz target parse requests through [`parse_prove`], so a request is read
//! one way everywhere (and without building the server).

use crate::pb;
use crate::proof::system_of;
use crate::MessageError;
use veil_circuits::statement::files::{
    CredentialJson, DocumentError, HolderJson, PaymentContextJson, PolicyJson,
};
use veil_circuits::statement::{Credential, PaymentContext, Policy, WitnessError};
use veil_circuits::F;
use veil_system::ProvingSystem;

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A field is missing or malformed (→ `InvalidArgument`).
    #[error("{field}: {message}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The documents are well formed but break a rule of the statement
    /// (→ `FailedPrecondition`).
    #[error("the witness violates the statement: {0}")]
    Violates(#[from] WitnessError),
    /// The proving system is not available here (→ `InvalidArgument`).
    #[error("proving system {0} is not supported by this server")]
    Unsupported(ProvingSystem),
}

impl From<MessageError> for RequestError {
    fn from(e: MessageError) -> Self {
        RequestError::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

fn invalid(field: &'static str) -> impl Fn(DocumentError) -> RequestError {
    move |e| RequestError::Invalid {
        field,
        message: e.to_string(),
    }
}

/// Reads one JSON document of a request and converts it, naming `field` in
/// the error: a missing, malformed or invalid document is `Invalid`.
pub fn document<T, D: serde::de::DeserializeOwned>(
    field: &'static str,
    text: &str,
    convert: impl Fn(&D) -> Result<T, DocumentError>,
) -> Result<T, RequestError> {
    if text.trim().is_empty() {
        return Err(RequestError::Invalid {
            field,
            message: "missing".into(),
        });
    }
    let parsed: D = serde_json::from_str(text).map_err(|e| RequestError::Invalid {
        field,
        message: format!("malformed JSON: {e}"),
    })?;
    convert(&parsed).map_err(invalid(field))
}

/// A prove request's documents, parsed and validated.
#[derive(Debug, Clone)]
pub struct ProveInputs {
    /// The credential.
    pub credential: Credential,
    /// The holder's secret.
    pub holder_secret: F,
    /// The policy.
    pub policy: Policy,
    /// The payment context.
    pub context: PaymentContext,
    /// The proving system asked for.
    pub system: ProvingSystem,
}

/// Parses a prove request (every document, naming the first bad field).
pub fn parse_prove(request: &pb::ProveRequest) -> Result<ProveInputs, RequestError> {
    let system = system_of(request.system)?;
    Ok(ProveInputs {
        system,
        credential: document(
            "credential_json",
            &request.credential_json,
            CredentialJson::to_credential,
        )?,
        holder_secret: document("holder_json", &request.holder_json, HolderJson::to_secret)?,
        policy: document("policy_json", &request.policy_json, PolicyJson::to_policy)?,
        context: document(
            "context_json",
            &request.context_json,
            PaymentContextJson::to_context,
        )?,
    })
}
