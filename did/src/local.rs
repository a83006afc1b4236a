//! One machine's identity state: the did:veil registry under a database
//! directory, the issuer's did:web site, and how documents of other issuers
//! are fetched. Which source answers for which DID is a trust rule, so it
//! lives here once: an issuer signs with its *own* documents as it wrote
//! them (its did:web site before, or without, publishing), while a verifier
//! reads *others'* documents only from where they are published (did:web
//! from its host over HTTPS, did:veil from the registry or a resolution
//! endpoint it names).

use crate::remote::{ClientOptions, RemoteResolver, WebResolver};
use crate::resolver::resolver_with;
use crate::web::WebSite;
use crate::{Registry, RegistryError, ResolutionError, VeilMethod, VeilResolver, WebMethod};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why local identity state could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The database directory could not be made.
    #[error("creating {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The registry (RocksDB) would not open: another process may hold it.
    #[error("opening {path}: {source}")]
    Registry {
        /// The registry's directory.
        path: PathBuf,
        /// The reason.
        source: RegistryError,
    },
    /// The extra CA certificate could not be read.
    #[error("reading {path}: {source}")]
    Ca {
        /// The certificate file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A resolver could not be built (a bad endpoint URL, a bad CA).
    #[error(transparent)]
    Resolver(#[from] ResolutionError),
}

/// Whose documents a resolver reads.
#[derive(Clone, Copy, Debug)]
pub enum Resolving<'a> {
    /// This issuer's own: did:veil from the local registry, did:web from the
    /// local site.
    Own,
    /// Anyone's: did:web from its host over HTTPS; did:veil from the local
    /// registry, or from this DID Resolution endpoint (`http(s)://host:port`).
    Others(Option<&'a str>),
}

/// The identity state in a database directory and how others are reached.
#[derive(Clone, Debug)]
pub struct LocalIdentity {
    db: PathBuf,
    site: PathBuf,
    extra_ca: Option<PathBuf>,
    allow_private_hosts: bool,
}

impl LocalIdentity {
    /// State under `db` (the registry in `db/dids`), with the did:web site
    /// in `site` (default `db/web`).
    pub fn new(db: PathBuf, site: Option<PathBuf>) -> Self {
        LocalIdentity {
            site: site.unwrap_or_else(|| db.join("web")),
            db,
            extra_ca: None,
            allow_private_hosts: false,
        }
    }

    /// Trusts the CA certificate (PEM) in this file beside the system's
    /// roots when resolving over HTTPS.
    pub fn with_extra_ca(mut self, pem_file: Option<PathBuf>) -> Self {
        self.extra_ca = pem_file;
        self
    }

    /// Lets did:web resolution reach loopback, private, link-local and
    /// CGNAT addresses (refused by default: a credential names the host a
    /// verifier fetches from). For a private deployment or a test.
    pub fn allowing_private_hosts(mut self, allow: bool) -> Self {
        self.allow_private_hosts = allow;
        self
    }

    /// The database directory.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// Opens (or creates) the did:veil registry.
    pub fn registry(&self) -> Result<Arc<Registry>, LocalError> {
        std::fs::create_dir_all(&self.db).map_err(|source| LocalError::Directory {
            path: self.db.clone(),
            source,
        })?;
        let path = self.db.join("dids");
        Registry::open(&path)
            .map(Arc::new)
            .map_err(|source| LocalError::Registry { path, source })
    }

    /// The issuer's did:web site.
    pub fn site(&self) -> WebSite {
        WebSite::open(&self.site)
    }

    /// The HTTPS client settings for other issuers' hosts.
    pub fn client_options(&self) -> Result<ClientOptions, LocalError> {
        let mut options = ClientOptions {
            allow_private_hosts: self.allow_private_hosts,
            ..Default::default()
        };
        if let Some(path) = &self.extra_ca {
            let pem = std::fs::read(path).map_err(|source| LocalError::Ca {
                path: path.clone(),
                source,
            })?;
            options.extra_roots_pem.push(pem);
        }
        Ok(options)
    }

    /// A did:web resolver over HTTPS.
    pub fn web_resolver(&self) -> Result<WebResolver, LocalError> {
        Ok(WebResolver::new(&self.client_options()?)?)
    }

    /// A resolver of `whose` documents.
    pub fn resolver(&self, whose: Resolving) -> Result<VeilResolver, LocalError> {
        Ok(match whose {
            Resolving::Own => resolver_with(
                VeilMethod::new(self.registry()?),
                WebMethod::site(self.site()),
            ),
            Resolving::Others(endpoint) => {
                let veil = match endpoint {
                    Some(url) => VeilMethod::remote(RemoteResolver::with_options(
                        url,
                        &self.client_options()?,
                    )?),
                    None => VeilMethod::new(self.registry()?),
                };
                resolver_with(veil, WebMethod::https(self.web_resolver()?))
            }
        })
    }
}
