//! A client for the service: a channel (optionally TLS) and the API key sent
//! on every call, for `veil remote`, the regulator's audit tool, the tests
//! and the load generator.

use crate::pb::audit_log_client::AuditLogClient;
use crate::pb::prover_client::ProverClient;
use crate::pb::registry_client::RegistryClient;
use crate::pb::verifier_client::VerifierClient;
use std::path::Path;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Request, Status};
use veil_audit::{LogSource, SignedTreeHead, SourceError};

/// Why a client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server address or the key is not usable.
    #[error("{0}")]
    Invalid(String),
    /// The CA file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Connecting failed.
    #[error("connecting to the server: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Sends `authorization: Bearer <key>` when a key is set.
#[derive(Clone, Default)]
pub struct ApiKey(Option<MetadataValue<Ascii>>);

impl ApiKey {
    /// The header for `key` (none for `None`).
    pub fn new(key: Option<&str>) -> Result<Self, ClientError> {
        key.map(|k| {
            format!("Bearer {k}")
                .parse()
                .map_err(|_| ClientError::Invalid("the API key is not ASCII".into()))
        })
        .transpose()
        .map(ApiKey)
    }
}

impl Interceptor for ApiKey {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

/// The three service clients over one channel.
pub struct Clients {
    /// `veil.v1.Prover`.
    pub prover: ProverClient<InterceptedService<Channel, ApiKey>>,
    /// `veil.v1.Verifier`.
    pub verifier: VerifierClient<InterceptedService<Channel, ApiKey>>,
    /// `veil.v1.Registry`.
    pub registry: RegistryClient<InterceptedService<Channel, ApiKey>>,
    /// `veil.v1.AuditLog`.
    pub audit: AuditLogClient<InterceptedService<Channel, ApiKey>>,
}

/// Connects to `server` (`http://…` or `https://…`; `ca` is the PEM root to
/// trust for https), sending `api_key` on every call.
pub async fn connect(
    server: &str,
    api_key: Option<&str>,
    ca: Option<&Path>,
    max_message_bytes: usize,
) -> Result<Clients, ClientError> {
    let mut endpoint = Endpoint::from_shared(server.to_owned())
        .map_err(|e| ClientError::Invalid(format!("server address {server}: {e}")))?;
    if let Some(ca) = ca {
        crate::install_crypto_provider();
        let pem = std::fs::read(ca).map_err(|source| ClientError::Io {
            path: ca.display().to_string(),
            source,
        })?;
        endpoint = endpoint
            .tls_config(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem)))?;
    }
    let channel = endpoint.connect().await?;
    let key = ApiKey::new(api_key)?;
    Ok(Clients {
        prover: ProverClient::with_interceptor(channel.clone(), key.clone())
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes),
        verifier: VerifierClient::with_interceptor(channel.clone(), key.clone())
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes),
        registry: RegistryClient::with_interceptor(channel.clone(), key.clone())
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes),
        audit: AuditLogClient::with_interceptor(channel, key)
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes),
    })
}

/// A service's audit log as a [`veil_audit::LogSource`], for a regulator's
/// audit from outside: blocking calls on a runtime of its own (make it
/// outside any async context). A call the service answers with
/// `ResourceExhausted` (its rate limit) is retried with exponential backoff,
/// so a long audit slows down instead of failing.
pub struct RemoteLog {
    runtime: tokio::runtime::Runtime,
    client: AuditLogClient<InterceptedService<Channel, ApiKey>>,
}

type AuditClient = AuditLogClient<InterceptedService<Channel, ApiKey>>;

/// Retries of one call refused with `ResourceExhausted`, and the first and
/// longest waits between them (about 25 s in all).
const RATE_RETRIES: u32 = 10;
const FIRST_BACKOFF: std::time::Duration = std::time::Duration::from_millis(50);
const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(5);

impl RemoteLog {
    /// Connects as [`connect`] does.
    pub fn connect(
        server: &str,
        api_key: Option<&str>,
        ca: Option<&Path>,
    ) -> Result<Self, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| ClientError::Io {
                path: "tokio runtime".into(),
                source,
            })?;
        let clients = runtime.block_on(connect(server, api_key, ca, 16 << 20))?;
        Ok(RemoteLog {
            runtime,
            client: clients.audit,
        })
    }

    /// One call, retried with backoff while the service answers
    /// `ResourceExhausted`.
    fn call<T, F, Fut>(&self, mut call: F) -> Result<T, Status>
    where
        F: FnMut(AuditClient) -> Fut,
        Fut: std::future::Future<Output = Result<tonic::Response<T>, Status>>,
    {
        let mut wait = FIRST_BACKOFF;
        let mut retries = 0;
        loop {
            match self.runtime.block_on(call(self.client.clone())) {
                Err(status)
                    if status.code() == tonic::Code::ResourceExhausted
                        && retries < RATE_RETRIES =>
                {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(MAX_BACKOFF);
                    retries += 1;
                }
                answer => return answer.map(tonic::Response::into_inner),
            }
        }
    }

    /// Records a disclosure (needs the regulator's API key); returns its index.
    pub fn record_disclosure(
        &self,
        request: crate::pb::RecordDisclosureRequest,
    ) -> Result<u64, SourceError> {
        self.call(|mut c| {
            let request = request.clone();
            async move { c.record_disclosure(request).await }
        })
        .map(|r| r.index)
        .map_err(status_error)
    }
}

/// A signed tree head as its message (what `GetSignedTreeHead` and every
/// verification answer carry).
pub fn head_message(head: &SignedTreeHead) -> crate::pb::SignedTreeHead {
    crate::pb::SignedTreeHead {
        log_id: head.log_id.clone(),
        tree_size: head.tree_size,
        timestamp_unix_ms: i64::try_from(head.timestamp_unix_ms).unwrap_or(i64::MAX),
        root_hash: head.root_hash.clone(),
        signature: head.signature.clone(),
    }
}

/// The signed tree head a message carries (a negative timestamp is refused).
pub fn head_of_message(head: crate::pb::SignedTreeHead) -> Result<SignedTreeHead, SourceError> {
    Ok(SignedTreeHead {
        log_id: head.log_id,
        tree_size: head.tree_size,
        timestamp_unix_ms: u64::try_from(head.timestamp_unix_ms)
            .map_err(|_| SourceError("head timestamp is negative".into()))?,
        root_hash: head.root_hash,
        signature: head.signature,
    })
}

fn status_error(status: Status) -> SourceError {
    SourceError(format!("{:?}: {}", status.code(), status.message()))
}

fn hashes(proof: crate::pb::AuditProof) -> Result<Vec<[u8; 32]>, SourceError> {
    proof
        .hashes
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            <[u8; 32]>::try_from(h.as_slice())
                .map_err(|_| SourceError(format!("proof hash {i}: {} bytes, not 32", h.len())))
        })
        .collect()
}

impl LogSource for RemoteLog {
    fn signed_head(&self) -> Result<SignedTreeHead, SourceError> {
        let head = self
            .call(|mut c| async move {
                c.get_signed_tree_head(crate::pb::GetSignedTreeHeadRequest {})
                    .await
            })
            .map_err(status_error)?;
        head_of_message(head)
    }

    /// Pages through `start..end`. A page may come back short (the server
    /// bounds pages by bytes); an answer too large for a message
    /// (`OutOfRange` from the transport, as older servers give for large
    /// entries) halves the page asked for, down to one entry.
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, SourceError> {
        let mut out = Vec::new();
        let mut at = start;
        let mut page = crate::MAX_ENTRIES_PER_CALL;
        while at < end {
            let stop = end.min(at.saturating_add(page));
            let answer = self.call(|mut c| async move {
                c.get_entries(crate::pb::GetEntriesRequest {
                    start: at,
                    end: stop,
                })
                .await
            });
            let got = match answer {
                Ok(answer) => answer.entries,
                Err(status) if status.code() == tonic::Code::OutOfRange && page > 1 => {
                    page /= 2;
                    continue;
                }
                Err(status) => return Err(status_error(status)),
            };
            if got.is_empty() {
                break;
            }
            at += got.len() as u64;
            out.extend(got);
        }
        Ok(out)
    }

    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<[u8; 32]>, SourceError> {
        let proof = self
            .call(|mut c| async move {
                c.get_consistency_proof(crate::pb::GetConsistencyProofRequest { first, second })
                    .await
            })
            .map_err(status_error)?;
        hashes(proof)
    }

    fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<[u8; 32]>, SourceError> {
        let proof = self
            .call(|mut c| async move {
                c.get_inclusion_proof(crate::pb::GetInclusionProofRequest { index, tree_size })
                    .await
            })
            .map_err(status_error)?;
        hashes(proof)
    }
}

impl veil_audit::disclosure::DisclosureLog for RemoteLog {
    /// `RecordDisclosure` (needs the regulator's API key): the service
    /// appends the record and answers its index.
    fn record(
        &self,
        body: &veil_audit::disclosure::DisclosureBody,
    ) -> Result<u64, veil_audit::disclosure::DisclosureError> {
        self.record_disclosure(crate::pb::RecordDisclosureRequest {
            entry_index: body.entry_index,
            regulator_key_x: body.regulator.public_key.x.clone(),
            regulator_key_y: body.regulator.public_key.y.clone(),
            request_hash: body.hash(),
            grounds: body.grounds.clone(),
        })
        .map_err(|e| veil_audit::disclosure::DisclosureError::Record(e.0))
    }
}
