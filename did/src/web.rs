//! `did:web` issuers: the identifier and the URL of its document (the
//! did:web method specification), and the issuer's site — the directory of
//! `did.json` files `veil did create --web` writes and `veil serve --did-web`
//! publishes over HTTPS.
//!
//! A did:web document is the same W3C DID Core document a did:veil issuer
//! has (a `#controller` key, the `vc-1` Ed25519 key with its 2020 twin, the
//! `bjj-1` Baby Jubjub key the ZK side checks), so every verifier that
//! resolves did:web (ssi, didkit, Digital Bazaar, a Universal Resolver)
//! finds the issuer's keys. Changes follow the did:veil rules: only the
//! current controller key may update (rotation, keys, services) or
//! deactivate, and deactivation is final. The web server is the method's
//! authority; the controller key keeps the site's own tools from changing a
//! document the operator does not control.
//!
//! The client side (fetching a document with bounded time and size) is
//! [`crate::remote::WebResolver`] (feature `remote`).

use crate::document::{DidDocument, MethodSpec, Patch};
use crate::error::{RegistryError, ResolutionError};
use crate::keys::ControllerKey;
use crate::resolution::{DocumentMetadata, HttpAnswer, Resolution, DID_JSON};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The method prefix.
pub const PREFIX: &str = "did:web:";
/// The file name of a document, under `/.well-known/` or the DID's path.
pub const DOCUMENT_FILE: &str = "did.json";
/// The site's own record of a document (created, updated, version,
/// deactivated), beside it; never served.
const METADATA_FILE: &str = "did.meta.json";
/// The most path segments a did:web this site makes may have.
const MAX_SEGMENTS: usize = 16;

/// A did:web identifier, parsed: host, optional port, optional path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebDid {
    host: String,
    port: Option<u16>,
    path: Vec<String>,
}

fn valid_host(host: &str) -> bool {
    if host.len() > 253 || host.is_empty() {
        return false;
    }
    host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

fn valid_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 64
        && segment != "."
        && segment != ".."
        && segment != ".well-known"
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

fn valid_port(port: &str) -> Option<u16> {
    if port.is_empty() || port.starts_with('0') || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    port.parse().ok()
}

impl WebDid {
    /// Parses `did:web:host[%3Aport][:path…]`. Only the canonical form is
    /// taken: a lowercase host name (or IPv4 address), a port without
    /// leading zeros, path segments of unreserved characters.
    pub fn parse(did: &str) -> Result<Self, ResolutionError> {
        let invalid = || ResolutionError::InvalidDid(did.into());
        let id = did.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let mut parts = id.split(':');
        let authority = parts.next().ok_or_else(invalid)?;
        let (host, port) = match authority.split_once("%3A") {
            Some((host, port)) => (host, Some(valid_port(port).ok_or_else(invalid)?)),
            None => (authority, None),
        };
        if !valid_host(host) {
            return Err(invalid());
        }
        let path: Vec<String> = parts.map(str::to_owned).collect();
        if path.len() > MAX_SEGMENTS || !path.iter().all(|s| valid_segment(s)) {
            return Err(invalid());
        }
        Ok(WebDid {
            host: host.into(),
            port,
            path,
        })
    }

    /// The DID of a location as an operator writes it: `host[:port][/path]`
    /// (`issuer.example.com`, `127.0.0.1:8443/issuers/kyc`).
    pub fn from_location(location: &str) -> Result<Self, ResolutionError> {
        let invalid = || ResolutionError::InvalidDid(format!("did:web location {location:?}"));
        let (authority, path) = match location.split_once('/') {
            Some((a, p)) => (a, p.trim_end_matches('/')),
            None => (location, ""),
        };
        let mut did = format!("{PREFIX}{}", authority.replacen(':', "%3A", 1));
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            did.push(':');
            did.push_str(segment);
        }
        Self::parse(&did).map_err(|_| invalid())
    }

    /// The DID.
    pub fn did(&self) -> String {
        let mut did = format!("{PREFIX}{}", self.host);
        if let Some(port) = self.port {
            did.push_str(&format!("%3A{port}"));
        }
        for segment in &self.path {
            did.push(':');
            did.push_str(segment);
        }
        did
    }

    /// The path of the document on its host: `/.well-known/did.json`, or
    /// `/<path>/did.json`.
    pub fn http_path(&self) -> String {
        if self.path.is_empty() {
            format!("/.well-known/{DOCUMENT_FILE}")
        } else {
            format!("/{}/{DOCUMENT_FILE}", self.path.join("/"))
        }
    }

    /// Where the document is fetched from: always HTTPS, as the method
    /// requires (loopback and private addresses included).
    pub fn url(&self) -> String {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("https://{}{port}{}", self.host, self.http_path())
    }

    /// The directory of the document inside a site, relative to its root.
    fn site_dir(&self) -> PathBuf {
        if self.path.is_empty() {
            PathBuf::from(".well-known")
        } else {
            self.path.iter().collect()
        }
    }

    /// The DID whose document a site serves at `http_path`
    /// (`/.well-known/did.json`, `/a/b/did.json`) on this DID's host.
    fn at_path(&self, http_path: &str) -> Option<WebDid> {
        let dir = http_path.strip_suffix(&format!("/{DOCUMENT_FILE}"))?;
        let dir = dir.strip_prefix('/').unwrap_or(dir);
        let path: Vec<String> = if dir == ".well-known" {
            Vec::new()
        } else {
            dir.split('/').map(str::to_owned).collect()
        };
        if path.len() > MAX_SEGMENTS || !path.iter().all(|s| valid_segment(s)) {
            return None;
        }
        Some(WebDid {
            host: self.host.clone(),
            port: self.port,
            path,
        })
    }
}

/// Checks that a document published for `did` is that DID's: a did.json
/// whose `id` names another DID — another host, port or path — is refused,
/// whatever keys it lists.
pub fn check_document(did: &str, document: &DidDocument) -> Result<(), String> {
    if document.id != did {
        return Err(format!(
            "the document at {} is for {}, not {did}",
            WebDid::parse(did).map(|w| w.url()).unwrap_or_default(),
            document.id
        ));
    }
    Ok(())
}

/// A did:web document as its host serves it: any DID Core JSON (another
/// tool's documents too, with embedded or unfamiliar verification methods),
/// its `id` checked against the DID; deactivated when the host answered
/// 410 Gone.
#[derive(Debug, Clone, PartialEq)]
pub struct WebDocument {
    /// The document.
    pub document: serde_json::Value,
    /// Whether the host says the DID is deactivated.
    pub deactivated: bool,
}

impl WebDocument {
    /// Takes `bytes` as `did`'s document: JSON whose `id` is `did`.
    pub fn from_bytes(did: &str, bytes: &[u8], deactivated: bool) -> Result<Self, String> {
        let document: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("not a DID document: {e}"))?;
        match document.get("id").and_then(serde_json::Value::as_str) {
            Some(id) if id == did => Ok(WebDocument {
                document,
                deactivated,
            }),
            Some(id) => Err(format!("the document is for {id}, not {did}")),
            None => Err("not a DID document: no id".into()),
        }
    }

    /// The W3C resolution result `veil did resolve` prints.
    pub fn resolution_result(&self) -> serde_json::Value {
        let mut metadata = serde_json::Map::new();
        if self.deactivated {
            metadata.insert("deactivated".into(), true.into());
        }
        serde_json::json!({
            "didResolutionMetadata": { "contentType": DID_JSON },
            "didDocument": self.document,
            "didDocumentMetadata": metadata,
        })
    }
}

/// An issuer's site: a directory laid out as the web server serves it
/// (`.well-known/did.json`, `<path>/did.json`), each document with its
/// metadata beside it. Writes replace files atomically (write, then rename),
/// so a crash leaves the previous document served.
pub struct WebSite {
    root: PathBuf,
    write: Mutex<()>,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Site(format!("{}: {e}", path.display()))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| io_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

impl WebSite {
    /// The site rooted at `root` (created on the first write).
    pub fn open(root: &Path) -> Self {
        WebSite {
            root: root.to_owned(),
            write: Mutex::new(()),
        }
    }

    /// The site's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of `web`'s document in this site.
    pub fn document_path(&self, web: &WebDid) -> PathBuf {
        self.root.join(web.site_dir()).join(DOCUMENT_FILE)
    }

    fn metadata_path(&self, web: &WebDid) -> PathBuf {
        self.root.join(web.site_dir()).join(METADATA_FILE)
    }

    /// `did`'s document as this site serves it: any did.json put there (by
    /// `create` or by hand from another tool), checked to name `did`;
    /// deactivated when its metadata says so.
    pub fn document(&self, did: &str) -> Result<WebDocument, ResolutionError> {
        let web = WebDid::parse(did)?;
        let doc_path = self.document_path(&web);
        let bytes = match std::fs::read(&doc_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ResolutionError::NotFound(did.into()))
            }
            Err(e) => {
                return Err(ResolutionError::Internal(format!(
                    "{}: {e}",
                    doc_path.display()
                )))
            }
        };
        let deactivated = match std::fs::read(self.metadata_path(&web)) {
            Ok(meta) => serde_json::from_slice::<DocumentMetadata>(&meta)
                .map(|m| m.deactivated)
                .map_err(|e| ResolutionError::Internal(format!("{did}: metadata: {e}")))?,
            Err(_) => false,
        };
        WebDocument::from_bytes(did, &bytes, deactivated)
            .map_err(|e| ResolutionError::Internal(format!("{}: {e}", doc_path.display())))
    }

    /// The document of `did` and its metadata, as `create` wrote them.
    pub fn resolve(&self, did: &str) -> Result<Resolution, ResolutionError> {
        let web = WebDid::parse(did)?;
        let internal = |path: &Path, e: &dyn std::fmt::Display| {
            ResolutionError::Internal(format!("{}: {e}", path.display()))
        };
        let doc_path = self.document_path(&web);
        let bytes = match std::fs::read(&doc_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ResolutionError::NotFound(did.into()))
            }
            Err(e) => return Err(internal(&doc_path, &e)),
        };
        let did_document: DidDocument =
            serde_json::from_slice(&bytes).map_err(|e| internal(&doc_path, &e))?;
        check_document(did, &did_document).map_err(ResolutionError::Internal)?;
        let meta_path = self.metadata_path(&web);
        let did_document_metadata = match std::fs::read(&meta_path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| internal(&meta_path, &e))?,
            Err(e) => return Err(internal(&meta_path, &e)),
        };
        Ok(Resolution {
            did_document,
            did_document_metadata,
        })
    }

    fn write(&self, web: &WebDid, resolution: &Resolution) -> Result<(), RegistryError> {
        let doc = serde_json::to_vec_pretty(&resolution.did_document)
            .map_err(|e| RegistryError::Invalid(e.to_string()))?;
        let meta = serde_json::to_vec_pretty(&resolution.did_document_metadata)
            .map_err(|e| RegistryError::Invalid(e.to_string()))?;
        // Metadata first: a crash between the two leaves the old document
        // served under metadata that only a later write corrects.
        write_atomically(&self.metadata_path(web), &meta)?;
        write_atomically(&self.document_path(web), &doc)
    }

    /// Creates `web`'s document with `key` as controller, the assertion
    /// keys `methods` and the `services` (`AddService` patches).
    pub fn create(
        &self,
        web: &WebDid,
        key: &ControllerKey,
        methods: Vec<MethodSpec>,
        services: Vec<Patch>,
    ) -> Result<Resolution, RegistryError> {
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let did = web.did();
        if self.document_path(web).exists() {
            return Err(RegistryError::AlreadyExists(did));
        }
        let mut doc = DidDocument::new(&did, &key.public_multibase()?);
        for method in methods {
            doc.apply(&Patch::AddMethod { method })
                .map_err(RegistryError::Invalid)?;
        }
        for service in services {
            if !matches!(service, Patch::AddService { .. }) {
                return Err(RegistryError::Invalid(
                    "services: only AddService entries".into(),
                ));
            }
            doc.apply(&service).map_err(RegistryError::Invalid)?;
        }
        let resolution = Resolution {
            did_document: doc,
            did_document_metadata: DocumentMetadata {
                created: now(),
                updated: None,
                version_id: "1".into(),
                next_version_id: None,
                deactivated: false,
            },
        };
        self.write(web, &resolution)?;
        Ok(resolution)
    }

    /// The current document of `did`, if `key` controls it and it is live.
    fn controlled(&self, key: &ControllerKey, did: &str) -> Result<Resolution, RegistryError> {
        let current = self.resolve(did)?;
        if current.did_document_metadata.deactivated {
            return Err(RegistryError::Deactivated(did.into()));
        }
        if current.did_document.controller_key() != Some(key.public_multibase()?.as_str()) {
            return Err(RegistryError::NotController(did.into()));
        }
        Ok(current)
    }

    fn next(
        &self,
        did: &str,
        mut current: Resolution,
        document: DidDocument,
        deactivated: bool,
    ) -> Result<Resolution, RegistryError> {
        let version: u64 = current
            .did_document_metadata
            .version_id
            .parse()
            .map_err(|_| RegistryError::Site(format!("{did}: versionId is not a number")))?;
        current.did_document = document;
        current.did_document_metadata.version_id = (version + 1).to_string();
        current.did_document_metadata.updated = Some(now());
        current.did_document_metadata.deactivated = deactivated;
        self.write(&WebDid::parse(did)?, &current)?;
        Ok(current)
    }

    /// Applies `patches` (rotation, keys, services) to `did`'s document,
    /// signed off by its current controller `key`; a refused update changes
    /// nothing.
    pub fn update(
        &self,
        key: &ControllerKey,
        did: &str,
        patches: &[Patch],
    ) -> Result<Resolution, RegistryError> {
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.controlled(key, did)?;
        if patches.is_empty() {
            return Err(RegistryError::Invalid("patches: empty".into()));
        }
        let mut doc = current.did_document.clone();
        for patch in patches {
            doc.apply(patch).map_err(RegistryError::Invalid)?;
        }
        self.next(did, current, doc, false)
    }

    /// Deactivates `did` for good: the site answers 410 Gone for it from
    /// then on, with the last document and no verification methods, so no
    /// verifier finds a key to accept a credential with.
    pub fn deactivate(&self, key: &ControllerKey, did: &str) -> Result<Resolution, RegistryError> {
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.controlled(key, did)?;
        let mut doc = current.did_document.clone();
        doc.verification_method.clear();
        doc.authentication.clear();
        doc.assertion_method.clear();
        doc.capability_invocation.clear();
        self.next(did, current, doc, true)
    }

    /// What the site's web server answers to `GET http_path` on
    /// `host[:port]`: the document (`application/did+json`) of the DID at
    /// that path, 410 Gone once deactivated, 404 for anything else — only
    /// `did.json` files of valid did:web paths are ever served.
    pub fn answer(&self, authority: &str, http_path: &str) -> HttpAnswer {
        let not_found = HttpAnswer {
            status: 404,
            content_type: "text/plain",
            body: b"not found\n".to_vec(),
        };
        let Ok(host) = WebDid::from_location(authority) else {
            return not_found;
        };
        let Some(web) = host.at_path(http_path) else {
            return not_found;
        };
        match self.document(&web.did()) {
            Ok(r) => HttpAnswer {
                status: if r.deactivated { 410 } else { 200 },
                content_type: DID_JSON,
                body: serde_json::to_vec_pretty(&r.document).unwrap_or_default(),
            },
            Err(ResolutionError::NotFound(_) | ResolutionError::InvalidDid(_)) => not_found,
            Err(e) => HttpAnswer {
                status: 500,
                content_type: "text/plain",
                body: format!("{e}\n").into_bytes(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_examples_map_to_their_urls() {
        for (did, url) in [
            (
                "did:web:w3c-ccg.github.io",
                "https://w3c-ccg.github.io/.well-known/did.json",
            ),
            (
                "did:web:w3c-ccg.github.io:user:alice",
                "https://w3c-ccg.github.io/user/alice/did.json",
            ),
            (
                "did:web:example.com%3A3000:user:alice",
                "https://example.com:3000/user/alice/did.json",
            ),
            (
                "did:web:127.0.0.1%3A8443",
                "https://127.0.0.1:8443/.well-known/did.json",
            ),
        ] {
            let web = WebDid::parse(did).unwrap();
            assert_eq!(web.url(), url);
            assert_eq!(web.did(), did, "round trip");
        }
    }

    #[test]
    fn locations_are_written_as_operators_write_them() {
        let web = WebDid::from_location("issuer.example.com:8443/kyc/eu/").unwrap();
        assert_eq!(web.did(), "did:web:issuer.example.com%3A8443:kyc:eu");
        assert_eq!(web.http_path(), "/kyc/eu/did.json");
        assert_eq!(
            WebDid::from_location("example.com").unwrap().did(),
            "did:web:example.com"
        );
    }

    #[test]
    fn non_canonical_or_unsafe_identifiers_are_refused() {
        for did in [
            "did:web:",
            "did:web:Example.com",
            "did:web:example.com%3A",
            "did:web:example.com%3A080",
            "did:web:example.com%3A70000",
            "did:web:example.com::a",
            "did:web:example.com:..",
            "did:web:example.com:.well-known",
            "did:web:exa mple.com",
            "did:web:-example.com",
            "did:web:example.com:a%2Fb",
            "did:veil:zAbc",
        ] {
            assert!(WebDid::parse(did).is_err(), "{did}");
        }
    }

    #[test]
    fn a_site_answers_only_did_json_of_valid_paths() {
        let web = WebDid::from_location("127.0.0.1:8443/kyc").unwrap();
        assert_eq!(
            web.at_path("/kyc/did.json").map(|w| w.did()),
            Some(web.did())
        );
        assert!(web
            .at_path("/.well-known/did.json")
            .unwrap()
            .path
            .is_empty());
        for path in [
            "/kyc/did.meta.json",
            "/../did.json",
            "/kyc//did.json",
            "/kyc",
        ] {
            assert!(web.at_path(path).is_none(), "{path}");
        }
    }
}
