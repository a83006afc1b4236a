//! did:web end to end on loopback HTTPS (a test CA): an issuer's site served
//! as a web server serves it resolves through `WebResolver`, its credentials
//! verify, and stop verifying once it is deactivated; hosts that lie about
//! the DID, stall, flood, redirect or present an unknown certificate give
//! typed errors within the deadline. Deactivated did:veil issuers are
//! refused the same way.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::sample::Sample;
use veil_did::remote::{ClientOptions, WebResolver};
use veil_did::resolver::resolver_with;
use veil_did::vc::{self, Format, Issuer};
use veil_did::web::{WebDid, WebSite};
use veil_did::*;

/// A CA and a certificate it signed for 127.0.0.1.
struct TestCa {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn test_ca() -> TestCa {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "veil test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    TestCa {
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Serves `respond(host, path)` over TLS with `ca`'s certificate on a
/// loopback port, a thread per connection; returns the port.
fn https_host(ca: &TestCa, respond: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    serve_tls(listener, ca, respond);
    port
}

fn serve_tls(
    listener: TcpListener,
    ca: &TestCa,
    respond: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static,
) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = vec![CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(ca.key_pem.as_bytes()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap(),
    );
    let respond = Arc::new(respond);
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let (config, respond) = (config.clone(), respond.clone());
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && tls.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let host = head
                    .lines()
                    .find_map(|l| l.strip_prefix("host: ").or(l.strip_prefix("Host: ")))
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let _ = tls.write_all(&respond(&host, &path));
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
}

fn http(status: u16, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/did+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn trusting(ca: &TestCa, timeout: Duration) -> WebResolver {
    WebResolver::new(&ClientOptions {
        timeout,
        extra_roots_pem: vec![ca.ca_pem.clone().into_bytes()],
        // The test's hosts are on loopback.
        allow_private_hosts: true,
        ..ClientOptions::default()
    })
    .unwrap()
}

/// Review 2, finding 7: a did:web names the host the verifier fetches
/// from, so by default resolution reaches public addresses only: an IP
/// literal on loopback and a name that resolves to loopback are refused
/// before any connection (the listener sees none), with an error that says
/// nothing of the network; the opt-in reaches them.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_7_did_web_does_not_reach_internal_hosts_by_default() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let default = WebResolver::new(&ClientOptions::default()).unwrap();
    for did in [
        format!("did:web:127.0.0.1%3A{port}"),
        format!("did:web:localhost%3A{port}"),
    ] {
        let refused = default.resolve(&did).await;
        let Err(ResolutionError::Remote(RemoteError::Unreachable { reason, .. })) = &refused else {
            panic!("{did}: {refused:?}");
        };
        assert!(
            !reason.contains("refused") && !reason.contains("os error"),
            "{reason}"
        );
    }
    assert!(
        listener.accept().is_err(),
        "a connection reached the internal host"
    );
    let allowed = WebResolver::new(&ClientOptions {
        timeout: Duration::from_secs(2),
        allow_private_hosts: true,
        ..ClientOptions::default()
    })
    .unwrap();
    let _ = allowed
        .resolve(&format!("did:web:127.0.0.1%3A{port}"))
        .await;
    assert!(
        listener.accept().is_ok(),
        "with the opt-in the host is reached"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The issuer's keys: the site's controller, the `vc-1` Ed25519 key and
/// the sample's Baby Jubjub key.
struct IssuerKeys {
    controller: ControllerKey,
    signing: ControllerKey,
    zk: PrivateKey,
    sample: Sample,
}

fn issuer_keys() -> IssuerKeys {
    let sample = Sample::new(&mut StdRng::seed_from_u64(3));
    IssuerKeys {
        controller: ControllerKey::generate().unwrap(),
        signing: ControllerKey::generate().unwrap(),
        zk: PrivateKey::from_bytes(sample.issuer_key.to_bytes()),
        sample,
    }
}

impl IssuerKeys {
    fn methods(&self) -> Vec<MethodSpec> {
        let point = self.zk.public_key();
        MethodSpec::issuer_keys(
            self.signing.public_multibase().unwrap(),
            BabyJubJubPoint {
                x: field_to_decimal(&point.0.x),
                y: field_to_decimal(&point.0.y),
            },
        )
    }

    async fn issue(&self, resolver: &VeilResolver, did: &str, format: Format) -> String {
        let issuer = Issuer {
            did,
            signing_key: &self.signing,
            signing_fragment: "vc-1",
            zk_key: vc::ZkSigning::Key(&self.zk),
            zk_fragment: "bjj-1",
        };
        let vc = vc::issue(resolver, &issuer, &self.sample.claims, None, None, format)
            .await
            .unwrap();
        serde_json::to_string(&vc).unwrap()
    }
}

fn no_registry() -> VeilMethod {
    struct Empty;
    impl DidSource for Empty {
        fn resolve(
            &self,
            did: &str,
            _: Option<u64>,
        ) -> Result<veil_did::Resolution, ResolutionError> {
            Err(ResolutionError::NotFound(did.into()))
        }
    }
    VeilMethod::new(Arc::new(Empty))
}

#[test]
fn a_published_site_resolves_over_https_and_its_credentials_verify_until_deactivated() {
    let ca = test_ca();
    let dir = tempfile::tempdir().unwrap();
    let site = Arc::new(WebSite::open(dir.path()));
    let served = site.clone();
    let port = https_host(&ca, move |host, path| {
        let a = served.answer(host, path);
        http(a.status, &a.body)
    });
    let keys = issuer_keys();
    let web = WebDid::from_location(&format!("127.0.0.1:{port}/issuers/kyc")).unwrap();
    let did = web.did();
    site.create(&web, &keys.controller, keys.methods(), vec![])
        .unwrap();
    assert!(dir.path().join("issuers/kyc/did.json").exists());

    let rt = runtime();
    let https = trusting(&ca, Duration::from_secs(5));
    let remote = rt.block_on(https.resolve(&did)).unwrap();
    let published = site.resolve(&did).unwrap().did_document;
    assert_eq!(remote.document, serde_json::to_value(&published).unwrap());
    assert!(!remote.deactivated);
    assert!(
        published.method("bjj-1").is_some(),
        "the ZK key is published"
    );

    // Signed on the issuer's machine from its site, verified by anyone over HTTPS.
    let own = resolver_with(no_registry(), WebMethod::site(WebSite::open(dir.path())));
    let others = resolver_with(no_registry(), WebMethod::https(https.clone()));
    let today = keys.sample.context.today;
    for format in [Format::V2, Format::V1] {
        let text = rt.block_on(keys.issue(&own, &did, format));
        let verified = rt.block_on(vc::verify(&others, &text, today)).unwrap();
        assert_eq!(verified.issuer, did);
        assert_eq!(verified.credential.claims, keys.sample.claims);
    }
    let text = rt.block_on(keys.issue(&own, &did, Format::V1));

    // Another controller key may not touch the document; the controller may.
    let stranger = ControllerKey::generate().unwrap();
    assert!(matches!(
        site.deactivate(&stranger, &did),
        Err(RegistryError::NotController(_))
    ));
    let next = ControllerKey::generate().unwrap();
    let rotated = site
        .update(
            &keys.controller,
            &did,
            &[Patch::RotateController {
                public_key_multibase: next.public_multibase().unwrap(),
            }],
        )
        .unwrap();
    assert_eq!(rotated.did_document_metadata.version_id, "2");
    assert!(matches!(
        site.deactivate(&keys.controller, &did),
        Err(RegistryError::NotController(_))
    ));

    // Deactivated: 410 Gone, and the credential no longer verifies.
    site.deactivate(&next, &did).unwrap();
    let gone = rt.block_on(https.resolve(&did)).unwrap();
    assert!(gone.deactivated);
    assert_eq!(gone.document["verificationMethod"], serde_json::json!([]));
    let refused = rt.block_on(vc::verify(&others, &text, today)).unwrap_err();
    assert!(refused.to_string().contains("deactivated"), "{refused}");
    assert!(matches!(
        site.update(
            &next,
            &did,
            &[Patch::RemoveMethod {
                fragment: "vc-1".into()
            }]
        ),
        Err(RegistryError::Deactivated(_))
    ));
}

#[test]
fn bad_did_web_hosts_give_typed_errors_in_bounded_time() {
    let ca = test_ca();
    let rt = runtime();
    let deadline = Duration::from_millis(800);
    let https = trusting(&ca, deadline);
    let doc = |id: &str| {
        serde_json::json!({"@context": [], "id": id, "verificationMethod": [],
            "authentication": [], "capabilityInvocation": []})
        .to_string()
    };

    // A did.json that names another host's DID.
    let port = https_host(&ca, move |_, _| {
        http(200, doc("did:web:example.com").as_bytes())
    });
    let did = format!("did:web:127.0.0.1%3A{port}");
    assert!(matches!(
        rt.block_on(https.resolve(&did)),
        Err(ResolutionError::Remote(RemoteError::WrongDid { .. }))
    ));

    // Too large, announced or streamed.
    let port = https_host(&ca, |_, _| http(200, &vec![b' '; 300 * 1024]));
    assert!(matches!(
        rt.block_on(https.resolve(&format!("did:web:127.0.0.1%3A{port}"))),
        Err(ResolutionError::Remote(RemoteError::TooLarge { .. }))
    ));

    // A host that never answers: refused within the deadline.
    let port = https_host(&ca, |_, _| {
        std::thread::sleep(Duration::from_secs(30));
        Vec::new()
    });
    let started = Instant::now();
    assert!(matches!(
        rt.block_on(https.resolve(&format!("did:web:127.0.0.1%3A{port}"))),
        Err(ResolutionError::Remote(RemoteError::Timeout { .. }))
    ));
    assert!(started.elapsed() < deadline * 4, "{:?}", started.elapsed());

    // Redirects are not followed; a missing document is notFound.
    let port = https_host(&ca, |_, path| {
        if path == "/gone/did.json" {
            http(404, b"")
        } else {
            b"HTTP/1.1 301 Moved\r\nlocation: https://example.com/.well-known/did.json\r\ncontent-length: 0\r\n\r\n".to_vec()
        }
    });
    assert!(matches!(
        rt.block_on(https.resolve(&format!("did:web:127.0.0.1%3A{port}"))),
        Err(ResolutionError::Remote(RemoteError::BadAnswer { .. }))
    ));
    assert!(matches!(
        rt.block_on(https.resolve(&format!("did:web:127.0.0.1%3A{port}:gone"))),
        Err(ResolutionError::NotFound(_))
    ));

    // A certificate from a CA nobody trusts.
    let stranger = test_ca();
    let port = https_host(&stranger, |_, _| http(200, b"{}"));
    match rt.block_on(https.resolve(&format!("did:web:127.0.0.1%3A{port}"))) {
        Err(ResolutionError::Remote(RemoteError::Unreachable { reason, .. })) => {
            assert!(reason.to_lowercase().contains("certificate"), "{reason}")
        }
        other => panic!("{other:?}"),
    }

    // Not a canonical did:web: refused before anything is sent.
    assert!(matches!(
        rt.block_on(https.resolve("did:web:Example.com")),
        Err(ResolutionError::InvalidDid(_))
    ));
}

#[test]
fn a_deactivated_did_veil_issuer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(Registry::open(&dir.path().join("dids")).unwrap());
    let keys = issuer_keys();
    let did = registry
        .create(&keys.controller, keys.methods(), vec![])
        .unwrap()
        .did_document
        .id;
    let resolver = resolver_with(VeilMethod::new(registry.clone()), WebMethod::unsupported());
    let rt = runtime();
    let text = rt.block_on(keys.issue(&resolver, &did, Format::V2));
    let today = keys.sample.context.today;
    rt.block_on(vc::verify(&resolver, &text, today)).unwrap();
    registry.deactivate(&keys.controller, &did).unwrap();
    let refused = rt
        .block_on(vc::verify(&resolver, &text, today))
        .unwrap_err();
    assert!(refused.to_string().contains("deactivated"), "{refused}");
    assert!(rt.block_on(vc::verify_proof(&resolver, &text)).is_err());
}
