//! The service's plain HTTP/1.1 listeners (metrics, DID resolution): one
//! accept loop, one connection task each, answers from a synchronous
//! function of the request.

use http_body_util::Full;
use hyper::body::Bytes;
use std::sync::Arc;

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

/// Serves `respond` on `listener` until the task is dropped; `what` names
/// the listener in the logs.
pub async fn serve<F>(listener: tokio::net::TcpListener, what: &'static str, respond: F)
where
    F: Fn(&http::Request<hyper::body::Incoming>) -> http::Response<Full<Bytes>>
        + Send
        + Sync
        + 'static,
{
    let respond = Arc::new(respond);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let respond = respond.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let answer = respond(&request);
                async move { Ok::<_, std::convert::Infallible>(answer) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await
            {
                tracing::debug!("{what} connection: {e}");
            }
        });
    }
}
