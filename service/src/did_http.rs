//! `did:veil` over the W3C DID Resolution HTTP binding (`veil serve
//! --did-http`): `GET /1.0/identifiers/{did}[?versionId=N]` answered from
//! this node's registry, so any resolver (another veil node's
//! `veil_did::remote`, a Universal Resolver driver) can resolve its DIDs.
//! The rules (paths, status codes, bodies) are `veil_did::http_binding`'s.

use std::sync::Arc;

/// Serves the binding on `listener` from `registry` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, registry: Arc<veil_did::Registry>) {
    crate::http::serve(listener, "DID resolution", move |request| {
        if request.method() != http::Method::GET {
            return crate::http::response(405, "text/plain", b"GET only\n".to_vec());
        }
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let accept = request
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let answer = veil_did::http_binding::answer(&*registry, path, accept);
        crate::http::response(answer.status, answer.content_type, answer.body)
    })
    .await
}
