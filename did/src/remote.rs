//! A `did:veil` resolver that asks a remote endpoint over the DID Resolution
//! HTTP(S) binding (another node's `veil serve --did-http`, or a Universal
//! Resolver with a did:veil driver) instead of a local registry.
//!
//! [`WebResolver`] fetches did:web documents from their hosts the same way.
//!
//! Everything from the network is bounded and checked: the whole exchange
//! has a deadline, the body a size limit, the answer must be a resolution
//! result for the DID that was asked (and the version, when one was), and
//! nothing is cached, so a failed or refused answer leaves no trace.

use crate::error::{RemoteError, ResolutionError};
use crate::registry::parse_did;
use crate::resolution::{Resolution, DID_JSON, IDENTIFIERS_PATH, RESOLUTION_JSON};
use crate::web::{WebDid, WebDocument};
use std::time::Duration;

/// How long one resolution may take by default, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer taken by default: a DID document is a few kB.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

/// The bounds and trust of every request a resolver sends.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The deadline of one resolution, connection included.
    pub timeout: Duration,
    /// The largest body taken.
    pub max_bytes: usize,
    /// CA certificates (PEM) trusted beside the system's roots: a private
    /// deployment's CA, or a test's.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// Let did:web resolution reach loopback, private, link-local and
    /// shared (CGNAT) addresses. Off by default: a did:web comes from the
    /// credential, so its sender would choose which internal host the
    /// verifier fetches from. For a private deployment, or a test.
    pub allow_private_hosts: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            extra_roots_pem: Vec::new(),
            allow_private_hosts: false,
        }
    }
}

/// Whether `ip` is an address on the public Internet: not unspecified,
/// loopback, private (RFC 1918, IPv6 unique-local), link-local, shared
/// (CGNAT, 100.64.0.0/10), benchmarking, documentation, multicast or
/// broadcast, nor an IPv4-mapped or -compatible form of one of those.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                is_public(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)))
            };
            // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48) and
            // 6to4 (2002::/16) reach the IPv4 address they embed: judged
            // by it. Teredo (2001::/32) tunnels to a hidden one: refused.
            if seg[0] == 0x64 && seg[1] == 0xff9b && (seg[2..6] == [0; 4] || seg[2] == 1) {
                return embedded(seg[6], seg[7]);
            }
            if seg[0] == 0x2002 {
                return embedded(seg[1], seg[2]);
            }
            if seg[0] == 0x2001 && seg[1] == 0 {
                return false;
            }
            let first = seg[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// A DNS resolver that answers only public addresses: the address a
/// connection is made to is the checked one, so a name that resolves to a
/// public address once and an internal one the next time (DNS rebinding)
/// cannot lead a resolution inside.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An HTTP(S) client whose every GET is bounded in time and size and never
/// follows a redirect (a redirect could lead a did:web resolution to
/// another host).
#[derive(Debug, Clone)]
struct BoundedClient {
    client: reqwest::Client,
    timeout: Duration,
    max_bytes: usize,
    /// Only public addresses, and errors without the network's details.
    public_only: bool,
}

/// What a server sent: status and body.
struct Fetched {
    status: u16,
    body: Vec<u8>,
}

impl BoundedClient {
    /// A client with `options`' bounds; `public_only` when the host comes
    /// from outside (a did:web) and private hosts are not allowed.
    fn new(options: &ClientOptions, public_only: bool) -> Result<Self, String> {
        let mut roots = Vec::new();
        for pem in &options.extra_roots_pem {
            roots.extend(
                reqwest::Certificate::from_pem_bundle(pem)
                    .map_err(|e| format!("CA certificate: {e}"))?,
            );
        }
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tls_certs_merge(roots);
        if public_only {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        Ok(BoundedClient {
            client,
            timeout: options.timeout,
            max_bytes: options.max_bytes,
            public_only,
        })
    }

    async fn get(&self, url: &str, accept: &str) -> Result<Fetched, RemoteError> {
        tokio::time::timeout(self.timeout, self.fetch(url, accept))
            .await
            .map_err(|_| RemoteError::Timeout {
                url: url.into(),
                after: self.timeout,
            })?
    }

    async fn fetch(&self, url: &str, accept: &str) -> Result<Fetched, RemoteError> {
        let unreachable = |e: reqwest::Error| {
            if e.is_timeout() {
                RemoteError::Timeout {
                    url: url.into(),
                    after: self.timeout,
                }
            } else {
                RemoteError::Unreachable {
                    url: url.into(),
                    // A host from outside learns nothing of the network
                    // from the error (which port is closed, which name
                    // resolves inside).
                    reason: if self.public_only {
                        "no public HTTPS answer".into()
                    } else {
                        error_chain(&e)
                    },
                }
            }
        };
        if self.public_only {
            let literal = reqwest::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()))
                .and_then(|h| h.parse::<std::net::IpAddr>().ok());
            if literal.is_some_and(|ip| !is_public(ip)) {
                return Err(RemoteError::Unreachable {
                    url: url.into(),
                    reason: "not a public address (private hosts are not allowed)".into(),
                });
            }
        }
        let too_large = || RemoteError::TooLarge {
            url: url.into(),
            limit: self.max_bytes,
        };
        let mut response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(unreachable)?;
        // The peer actually connected to (an IP literal skips the resolver).
        if self.public_only && response.remote_addr().is_some_and(|a| !is_public(a.ip())) {
            return Err(RemoteError::Unreachable {
                url: url.into(),
                reason: "not a public address (private hosts are not allowed)".into(),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status: response.status().as_u16(),
            body,
        })
    }
}

/// An error and its causes: reqwest's own message hides the TLS reason.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// A remote DID Resolution endpoint.
#[derive(Debug, Clone)]
pub struct RemoteResolver {
    base: String,
    client: BoundedClient,
}

impl RemoteResolver {
    /// The endpoint at `base` (`http://host:port` or `https://…`; the
    /// binding's `/1.0/identifiers/` is appended), with the default bounds.
    pub fn new(base: &str) -> Result<Self, ResolutionError> {
        Self::with_options(base, &ClientOptions::default())
    }

    /// The endpoint at `base` with a deadline per resolution and a size limit.
    pub fn with_limits(
        base: &str,
        timeout: Duration,
        max_bytes: usize,
    ) -> Result<Self, ResolutionError> {
        Self::with_options(
            base,
            &ClientOptions {
                timeout,
                max_bytes,
                ..ClientOptions::default()
            },
        )
    }

    /// The endpoint at `base` with `options`' bounds and extra CAs.
    pub fn with_options(base: &str, options: &ClientOptions) -> Result<Self, ResolutionError> {
        let base = base.trim_end_matches('/');
        let bad = |reason: &str| {
            ResolutionError::Remote(RemoteError::BadEndpoint {
                url: base.into(),
                reason: reason.into(),
            })
        };
        let parsed = reqwest::Url::parse(base).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(bad("not an http(s) URL with a host"));
        }
        // The endpoint vouches for every issuer's keys: anyone on the path
        // of a plain-HTTP answer could swap them. Plain HTTP only on this
        // machine, where there is no path.
        if parsed.scheme() == "http" && !is_loopback_host(&parsed) {
            return Err(bad(
                "https only (plain http is for a resolver on this machine)",
            ));
        }
        // The endpoint is the operator's choice, not a credential's.
        let client = BoundedClient::new(options, false).map_err(|e| bad(&e))?;
        Ok(RemoteResolver {
            base: base.into(),
            client,
        })
    }

    /// The URL a resolution of `did` at `version` asks.
    pub fn url(&self, did: &str, version: Option<u64>) -> String {
        let encoded =
            percent_encoding::utf8_percent_encode(did, percent_encoding::NON_ALPHANUMERIC);
        let mut url = format!("{}{IDENTIFIERS_PATH}{encoded}", self.base);
        if let Some(v) = version {
            url.push_str(&format!("?versionId={v}"));
        }
        url
    }

    /// Resolves `did` (at `version`) at the endpoint. The DID's syntax is
    /// checked before anything is sent.
    pub async fn resolve(
        &self,
        did: &str,
        version: Option<u64>,
    ) -> Result<Resolution, ResolutionError> {
        parse_did(did)?;
        let url = self.url(did, version);
        let fetched = self
            .client
            .get(&url, RESOLUTION_JSON)
            .await
            .map_err(ResolutionError::Remote)?;
        interpret(&url, did, version, &fetched.body)
    }
}

/// Whether `url`'s host is this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback_host(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// did:web resolved over HTTPS by the method's rules, bounded as every
/// remote resolution is: the document must be at its DID's URL (no
/// redirects), within the deadline and size limit, and name that DID;
/// 410 Gone is a deactivated DID. Nothing is cached.
#[derive(Debug, Clone)]
pub struct WebResolver {
    client: BoundedClient,
}

impl WebResolver {
    /// A resolver with `options`' bounds and extra CAs; it reaches only
    /// public addresses unless `options.allow_private_hosts`.
    pub fn new(options: &ClientOptions) -> Result<Self, ResolutionError> {
        let client =
            BoundedClient::new(options, !options.allow_private_hosts).map_err(|reason| {
                ResolutionError::Remote(RemoteError::BadEndpoint {
                    url: "did:web".into(),
                    reason,
                })
            })?;
        Ok(WebResolver { client })
    }

    /// The document of `did` (a did:web) from its host.
    pub async fn resolve(&self, did: &str) -> Result<WebDocument, ResolutionError> {
        let web = WebDid::parse(did)?;
        let url = web.url();
        let fetched = self
            .client
            .get(&url, DID_JSON)
            .await
            .map_err(ResolutionError::Remote)?;
        let deactivated = match fetched.status {
            200 => false,
            410 => true,
            404 => return Err(ResolutionError::NotFound(did.into())),
            status => {
                return Err(ResolutionError::Remote(RemoteError::BadAnswer {
                    url,
                    reason: format!("HTTP status {status}"),
                }))
            }
        };
        WebDocument::from_bytes(did, &fetched.body, deactivated).map_err(|reason| {
            let got = serde_json::from_slice::<serde_json::Value>(&fetched.body)
                .ok()
                .and_then(|d| d.get("id").and_then(|i| i.as_str()).map(str::to_owned));
            ResolutionError::Remote(match got {
                Some(got) => RemoteError::WrongDid {
                    url: url.clone(),
                    asked: did.into(),
                    got,
                },
                None => RemoteError::BadAnswer {
                    url: url.clone(),
                    reason,
                },
            })
        })
    }
}

/// What an endpoint's body says about `did` at `version`.
fn interpret(
    url: &str,
    did: &str,
    version: Option<u64>,
    body: &[u8],
) -> Result<Resolution, ResolutionError> {
    let bad = |reason: String| {
        ResolutionError::Remote(RemoteError::BadAnswer {
            url: url.into(),
            reason,
        })
    };
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("not JSON: {e}")))?;
    let metadata = &value["didResolutionMetadata"];
    if let Some(code) = metadata.get("error") {
        let message = metadata["errorMessage"].as_str().unwrap_or_default();
        let asked = match version {
            Some(v) => format!("{did}?versionId={v}"),
            None => did.to_owned(),
        };
        return Err(match code.as_str() {
            Some("notFound") => ResolutionError::NotFound(asked),
            Some("invalidDid") => ResolutionError::InvalidDid(did.into()),
            Some("methodNotSupported") => ResolutionError::MethodNotSupported(message.into()),
            _ => bad(format!("error {code}: {message}")),
        });
    }
    let resolution: Resolution = serde_json::from_value(serde_json::json!({
        "didDocument": value["didDocument"],
        "didDocumentMetadata": value["didDocumentMetadata"],
    }))
    .map_err(|e| bad(format!("not a resolution result: {e}")))?;
    if resolution.did_document.id != did {
        return Err(ResolutionError::Remote(RemoteError::WrongDid {
            url: url.into(),
            asked: did.into(),
            got: resolution.did_document.id,
        }));
    }
    // A DID's first document is made by the key the DID is the hash of: an
    // endpoint cannot answer one for a DID that key never created.
    if resolution.did_document_metadata.version_id == "1" {
        let made_by = resolution
            .did_document
            .controller_key()
            .map(crate::registry::did_for_key);
        if made_by.as_deref() != Some(did) {
            return Err(bad(format!(
                "version 1 of {did} is not controlled by the key the DID is made from"
            )));
        }
    }
    if let Some(v) = version {
        if resolution.did_document_metadata.version_id != v.to_string() {
            return Err(bad(format!(
                "asked for version {v}, got {}",
                resolution.did_document_metadata.version_id
            )));
        }
    }
    Ok(resolution)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_finding_7_internal_addresses_are_refused_in_every_spelling() {
        let internal = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            // NAT64 and 6to4 spellings of internal IPv4 addresses, and Teredo.
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ];
        for ip in internal {
            assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
        }
        for ip in [
            "93.184.215.14",
            "2606:4700::1111",
            "64:ff9b::5db8:d70e",
            "2002:5db8:d70e::1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} counted as internal");
        }
    }

    #[test]
    fn the_url_encodes_the_did_and_the_version() {
        let r = RemoteResolver::new("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            r.url("did:veil:zAbc", Some(2)),
            "http://127.0.0.1:8080/1.0/identifiers/did%3Aveil%3AzAbc?versionId=2"
        );
    }

    /// Review 2, finding 11: an endpoint is trusted for every issuer's keys,
    /// so plain HTTP is refused except on this machine; and a first version
    /// whose controller key is not the one the DID is the hash of is refused.
    #[test]
    fn r2_finding_11_plain_http_endpoints_and_made_up_first_versions_are_refused() {
        for base in ["http://resolver.example", "http://10.0.0.5:8080"] {
            assert!(RemoteResolver::new(base).is_err(), "{base}");
        }
        for base in [
            "https://resolver.example",
            "http://127.0.0.1:8080",
            "http://localhost:1",
        ] {
            assert!(RemoteResolver::new(base).is_ok(), "{base}");
        }
        let did = crate::registry::did_for_key("z6MkSomeoneElse");
        let made_up = serde_json::json!({
            "didResolutionMetadata": {},
            "didDocument": {"@context": [], "id": did,
                "verificationMethod": [{"id": format!("{did}#controller"), "type": "Multikey",
                    "controller": did, "publicKeyMultibase": "z6MkTheEndpoints"}],
                "authentication": [], "capabilityInvocation": []},
            "didDocumentMetadata": {"created": "2026-12-03T00:00:00Z", "versionId": "1"},
        })
        .to_string();
        assert!(matches!(
            interpret("u", &did, None, made_up.as_bytes()),
            Err(ResolutionError::Remote(RemoteError::BadAnswer { .. }))
        ));
    }

    #[test]
    fn endpoints_that_are_not_http_urls_are_refused() {
        for base in ["ftp://host", "not a url", "http://"] {
            assert!(
                matches!(
                    RemoteResolver::new(base),
                    Err(ResolutionError::Remote(RemoteError::BadEndpoint { .. }))
                ),
                "{base}"
            );
        }
    }

    #[test]
    fn answers_are_checked() {
        let did = crate::registry::did_for_key("z6MkTest");
        let other = crate::registry::did_for_key("z6MkOther");
        let doc = |id: &str, version: &str| {
            serde_json::json!({
                "didResolutionMetadata": {},
                "didDocument": {"@context": [], "id": id,
                    "verificationMethod": [{"id": format!("{id}#controller"), "type": "Multikey",
                        "controller": id, "publicKeyMultibase": "z6MkTest"}],
                    "authentication": [], "capabilityInvocation": []},
                "didDocumentMetadata": {"created": "2026-12-03T00:00:00Z", "versionId": version},
            })
            .to_string()
        };
        assert!(interpret("u", &did, None, doc(&did, "1").as_bytes()).is_ok());
        assert!(matches!(
            interpret("u", &did, None, doc(&other, "1").as_bytes()),
            Err(ResolutionError::Remote(RemoteError::WrongDid { .. }))
        ));
        assert!(matches!(
            interpret("u", &did, Some(2), doc(&did, "1").as_bytes()),
            Err(ResolutionError::Remote(RemoteError::BadAnswer { .. }))
        ));
        assert!(matches!(
            interpret("u", &did, None, b"<html>"),
            Err(ResolutionError::Remote(RemoteError::BadAnswer { .. }))
        ));
        let not_found = r#"{"didResolutionMetadata":{"error":"notFound"},"didDocument":null}"#;
        assert!(matches!(
            interpret("u", &did, None, not_found.as_bytes()),
            Err(ResolutionError::NotFound(_))
        ));
    }
}
