//! A client for the service: a channel (optionally TLS) and the API key sent
//! on every call, for `veil remote`, the tests and the load generator.

use crate::pb::prover_client::ProverClient;
use crate::pb::registry_client::RegistryClient;
use crate::pb::verifier_client::VerifierClient;
use std::path::Path;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Request, Status};

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
        crate::server::install_crypto_provider();
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
        registry: RegistryClient::with_interceptor(channel, key)
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes),
    })
}
