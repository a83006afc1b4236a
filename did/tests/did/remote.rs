//! The remote resolver against endpoints on loopback: a registry served
//! over the DID Resolution HTTP binding resolves as the local one does, and
//! an endpoint that stalls, floods, or answers for another DID gives a typed
//! error within its deadline.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use veil_did::http_binding;
use veil_did::remote::RemoteResolver;
use veil_did::{ControllerKey, Registry, RemoteError, ResolutionError};

/// Serves `respond(request head)` on a loopback port, one connection at a
/// time, on a background thread; returns the base URL.
fn endpoint(respond: impl Fn(&str) -> Vec<u8> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let answer = respond(&String::from_utf8_lossy(&head));
            let _ = stream.write_all(&answer);
        }
    });
    base
}

fn http(status: u16, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/did-resolution\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A registry with one DID at two versions, served by the binding.
fn served_registry() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(Registry::open(&dir.path().join("dids")).unwrap());
    let key = ControllerKey::generate().unwrap();
    let next = ControllerKey::generate().unwrap();
    let did = registry
        .create(&key, vec![], vec![])
        .unwrap()
        .did_document
        .id;
    registry
        .update(
            &key,
            &did,
            vec![veil_did::Patch::RotateController {
                public_key_multibase: next.public_multibase().unwrap(),
            }],
        )
        .unwrap();
    let source = registry.clone();
    let base = endpoint(move |head| {
        let path = head.split_whitespace().nth(1).unwrap_or("/");
        let a = http_binding::answer(&*source, path, None);
        http(a.status, &a.body)
    });
    (dir, did, base)
}

#[test]
fn a_served_registry_resolves_remotely_as_it_does_locally() {
    let (_dir, did, base) = served_registry();
    let remote = RemoteResolver::new(&base).unwrap();
    let rt = runtime();
    let latest = rt.block_on(remote.resolve(&did, None)).unwrap();
    assert_eq!(latest.did_document.id, did);
    assert_eq!(latest.did_document_metadata.version_id, "2");
    let first = rt.block_on(remote.resolve(&did, Some(1))).unwrap();
    assert_eq!(first.did_document_metadata.version_id, "1");
    assert_eq!(
        first.did_document_metadata.next_version_id.as_deref(),
        Some("2")
    );
    assert!(matches!(
        rt.block_on(remote.resolve(&did, Some(9))),
        Err(ResolutionError::NotFound(_))
    ));
    let unknown = veil_did::did_for_key("z6MkNobody");
    assert!(matches!(
        rt.block_on(remote.resolve(&unknown, None)),
        Err(ResolutionError::NotFound(_))
    ));
    // Refused before anything is sent.
    assert!(matches!(
        rt.block_on(remote.resolve("did:web:example.com", None)),
        Err(ResolutionError::MethodNotSupported(_))
    ));
}

#[test]
fn bad_endpoints_give_typed_errors_in_bounded_time() {
    let rt = runtime();
    let did = veil_did::did_for_key("z6MkSomeone");
    let limits =
        |base: &str| RemoteResolver::with_limits(base, Duration::from_millis(400), 4096).unwrap();

    let stalls = endpoint(|_| {
        std::thread::sleep(Duration::from_secs(5));
        Vec::new()
    });
    let start = Instant::now();
    let err = rt
        .block_on(limits(&stalls).resolve(&did, None))
        .unwrap_err();
    assert!(
        matches!(err, ResolutionError::Remote(RemoteError::Timeout { .. })),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );

    let floods = endpoint(|_| http(200, &vec![b' '; 64 * 1024]));
    let err = rt
        .block_on(limits(&floods).resolve(&did, None))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ResolutionError::Remote(RemoteError::TooLarge { limit: 4096, .. })
        ),
        "{err}"
    );

    let (_dir, other, base) = served_registry();
    // An endpoint that answers every DID with `other`'s document.
    let liar = endpoint(move |_| {
        let path = format!("{}{other}", veil_did::resolution::IDENTIFIERS_PATH);
        let a = reqwest_free_get(&base, &path);
        http(200, &a)
    });
    let err = rt.block_on(limits(&liar).resolve(&did, None)).unwrap_err();
    assert!(
        matches!(err, ResolutionError::Remote(RemoteError::WrongDid { .. })),
        "{err}"
    );

    let html = endpoint(|_| http(200, b"<html>hello</html>"));
    let err = rt.block_on(limits(&html).resolve(&did, None)).unwrap_err();
    assert!(
        matches!(err, ResolutionError::Remote(RemoteError::BadAnswer { .. })),
        "{err}"
    );

    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let err = rt
        .block_on(limits(&closed).resolve(&did, None))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ResolutionError::Remote(RemoteError::Unreachable { .. })
        ),
        "{err}"
    );
}

/// The body of `GET base+path`, over a plain socket.
fn reqwest_free_get(base: &str, path: &str) -> Vec<u8> {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    all[split..].to_vec()
}
