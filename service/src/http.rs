//! The service's plain HTTP/1.1 listeners (metrics, DID resolution, did:web
//! documents): one accept loop, one connection task each, answers from a
//! synchronous function of the request; HTTPS when given a TLS acceptor.
//!
//! Each listener holds at most [`MAX_CONNECTIONS`] connections (one more is
//! closed at once, so a flood of one listener cannot use up the process's
//! file descriptors and starve gRPC or the others), a request's headers must
//! arrive within [`HEADER_TIMEOUT`], and no connection lives longer than
//! [`CONNECTION_LIFETIME`].

use http_body_util::Full;
use hyper::body::Bytes;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls;

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections one listener holds at most.
pub const MAX_CONNECTIONS: usize = 128;
/// How long a request's headers may take to arrive (also the longest a
/// kept-alive connection may sit idle before its next request).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest any one connection is served.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

/// A response with a body and its media type.
pub fn response(status: u16, content_type: &str, body: Vec<u8>) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = http::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    response
}

/// A TLS acceptor for HTTP/1.1 from a PEM certificate chain and key (the
/// files `veil serve --tls-cert/--tls-key` gives gRPC too).
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    veil_client::install_crypto_provider();
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Serves `respond` on `listener` (over TLS with `tls`) until the task is
/// dropped; `what` names the listener in the logs.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    what: &'static str,
    tls: Option<tokio_rustls::TlsAcceptor>,
    respond: F,
) where
    F: Fn(&http::Request<hyper::body::Incoming>) -> http::Response<Full<Bytes>>
        + Send
        + Sync
        + 'static,
{
    let respond = Arc::new(respond);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, say: do not spin on the error.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!("{what}: {MAX_CONNECTIONS} connections open; closing a new one");
            drop(stream);
            continue;
        };
        let respond = respond.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            match tls {
                None => connection(stream, what, respond).await,
                Some(acceptor) => {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => connection(stream, what, respond).await,
                        Ok(Err(e)) => tracing::debug!("{what} TLS handshake: {e}"),
                        Err(_) => tracing::debug!("{what} TLS handshake: timed out"),
                    }
                }
            }
        });
    }
}

async fn connection<S, F>(stream: S, what: &'static str, respond: Arc<F>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    F: Fn(&http::Request<hyper::body::Incoming>) -> http::Response<Full<Bytes>>
        + Send
        + Sync
        + 'static,
{
    let service = hyper::service::service_fn(move |request| {
        let answer = respond(&request);
        async move { Ok::<_, std::convert::Infallible>(answer) }
    });
    let io = hyper_util::rt::TokioIo::new(stream);
    let served = hyper::server::conn::http1::Builder::new()
        // hyper 1.x has no header timeout without a timer.
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(io, service);
    match tokio::time::timeout(CONNECTION_LIFETIME, served).await {
        Ok(Err(e)) => tracing::debug!("{what} connection: {e}"),
        Err(_) => tracing::debug!("{what} connection: served for its whole lifetime; closed"),
        Ok(Ok(())) => {}
    }
}
