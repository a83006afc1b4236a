//! This node's DIDs over HTTP(S) (`veil serve --did-http`): did:veil over
//! the W3C DID Resolution HTTP binding (`GET /1.0/identifiers/{did}
//! [?versionId=N]`, answered from this node's registry) so any resolver
//! (another veil node's `veil_did::remote`, a Universal Resolver driver)
//! can resolve them; and, with `--did-web DIR`, the did:web documents of
//! the issuer's site (`/.well-known/did.json`, `/<path>/did.json`) for the
//! host the request names. HTTPS with `--tls-cert/--tls-key` (did:web
//! requires it). The rules (paths, status codes, bodies) are `veil_did`'s
//! (`http_binding`, `web`).

use std::sync::Arc;
use veil_did::resolution::IDENTIFIERS_PATH;
use veil_did::web::WebSite;

/// Serves the binding from `registry` (and `site`'s documents) on
/// `listener`, over TLS with `tls`, until the task is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    registry: Arc<veil_did::Registry>,
    site: Option<Arc<WebSite>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    crate::http::serve(listener, "DID resolution", tls, move |request| {
        if request.method() != http::Method::GET {
            return crate::http::response(405, "text/plain", b"GET only\n".to_vec());
        }
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let answer = match &site {
            Some(site) if !path.starts_with(IDENTIFIERS_PATH) => {
                let host = request
                    .headers()
                    .get(http::header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                site.answer(host, request.uri().path())
            }
            _ => {
                let accept = request
                    .headers()
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok());
                veil_did::http_binding::answer(&*registry, path, accept)
            }
        };
        crate::http::response(answer.status, answer.content_type, answer.body)
    })
    .await
}
