//! `did:veil` and `did:web` as `ssi` DID methods, so `ssi`'s resolution and
//! verification resolve them like any other method; and veil's resolver:
//! `did:key` (ssi's implementation), `did:veil` and `did:web`.

use crate::error::ResolutionError;
use crate::resolution::{DidSource, Resolution, DID_JSON};
use ssi::dids::resolution::{Error, Metadata, Options, Output};
use ssi::dids::{DIDKey, DIDMethod, DIDMethodResolver};
use std::sync::Arc;

/// `did:veil` backed by a [`DidSource`] (a local registry) or, with the
/// `remote` feature, by a remote DID Resolution endpoint.
#[derive(Clone)]
pub struct VeilMethod {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Local(Arc<dyn DidSource>),
    #[cfg(feature = "remote")]
    Remote(Arc<crate::remote::RemoteResolver>),
}

impl VeilMethod {
    /// The method over `registry`.
    pub fn new<S: DidSource + 'static>(registry: Arc<S>) -> Self {
        VeilMethod {
            backend: Backend::Local(registry),
        }
    }

    /// The method over a remote endpoint (`veil serve --did-http`, a
    /// Universal Resolver).
    #[cfg(feature = "remote")]
    pub fn remote(endpoint: crate::remote::RemoteResolver) -> Self {
        VeilMethod {
            backend: Backend::Remote(Arc::new(endpoint)),
        }
    }

    /// Resolves `did` at `version` from wherever this method's documents are.
    pub async fn resolve(
        &self,
        did: &str,
        version: Option<u64>,
    ) -> Result<Resolution, ResolutionError> {
        match &self.backend {
            Backend::Local(registry) => registry.resolve(did, version),
            #[cfg(feature = "remote")]
            Backend::Remote(endpoint) => endpoint.resolve(did, version).await,
        }
    }
}

impl DIDMethod for VeilMethod {
    const DID_METHOD_NAME: &'static str = "veil";
}

fn to_ssi(e: ResolutionError, id: &str) -> Error {
    match e {
        ResolutionError::InvalidDid(_) => Error::InvalidMethodSpecificId(id.to_owned()),
        ResolutionError::NotFound(_) => Error::NotFound,
        ResolutionError::MethodNotSupported(m) => Error::MethodNotSupported(m),
        ResolutionError::Remote(r) => Error::internal(r.to_string()),
        ResolutionError::Internal(s) => Error::internal(s),
    }
}

impl DIDMethodResolver for VeilMethod {
    async fn resolve_method_representation<'a>(
        &'a self,
        method_specific_id: &'a str,
        options: Options,
    ) -> Result<Output<Vec<u8>>, Error> {
        let did = format!("did:veil:{method_specific_id}");
        let version = match options.parameters.version_id.as_deref() {
            None => None,
            Some(v) => Some(v.parse::<u64>().map_err(|_| Error::InvalidOptions)?),
        };
        let resolution = self
            .resolve(&did, version)
            .await
            .map_err(|e| to_ssi(e, method_specific_id))?;
        output(
            &resolution.did_document,
            resolution.did_document_metadata.deactivated,
        )
    }
}

/// `did:web` for ssi: documents from an issuer's own site (the issuer
/// signing before it publishes), from their hosts over HTTPS (feature
/// `remote`: [`crate::remote::WebResolver`], bounded), or not at all.
#[derive(Clone)]
pub struct WebMethod {
    backend: WebBackend,
}

#[derive(Clone)]
enum WebBackend {
    Unsupported,
    Site(Arc<crate::web::WebSite>),
    #[cfg(feature = "remote")]
    Https(Arc<crate::remote::WebResolver>),
}

impl WebMethod {
    /// did:web refused as `methodNotSupported` (a build or a caller that
    /// must not reach the network).
    pub fn unsupported() -> Self {
        WebMethod {
            backend: WebBackend::Unsupported,
        }
    }

    /// did:web documents from the site on this machine.
    pub fn site(site: crate::web::WebSite) -> Self {
        WebMethod {
            backend: WebBackend::Site(Arc::new(site)),
        }
    }

    /// did:web documents from their hosts.
    #[cfg(feature = "remote")]
    pub fn https(resolver: crate::remote::WebResolver) -> Self {
        WebMethod {
            backend: WebBackend::Https(Arc::new(resolver)),
        }
    }

    /// did:web from its hosts with the default bounds and the system's
    /// roots when the `remote` feature is built, refused otherwise.
    pub fn default_for_build() -> Self {
        #[cfg(feature = "remote")]
        if let Ok(resolver) = crate::remote::WebResolver::new(&Default::default()) {
            return Self::https(resolver);
        }
        Self::unsupported()
    }

    /// Resolves `did` (a did:web) from wherever this method's documents are.
    pub async fn resolve(&self, did: &str) -> Result<crate::web::WebDocument, ResolutionError> {
        match &self.backend {
            WebBackend::Unsupported => Err(ResolutionError::MethodNotSupported(
                "web (this build or caller resolves no did:web)".into(),
            )),
            WebBackend::Site(site) => site.document(did),
            #[cfg(feature = "remote")]
            WebBackend::Https(resolver) => resolver.resolve(did).await,
        }
    }
}

impl DIDMethod for WebMethod {
    const DID_METHOD_NAME: &'static str = "web";
}

impl DIDMethodResolver for WebMethod {
    async fn resolve_method_representation<'a>(
        &'a self,
        method_specific_id: &'a str,
        _options: Options,
    ) -> Result<Output<Vec<u8>>, Error> {
        let web = self
            .resolve(&format!("did:web:{method_specific_id}"))
            .await
            .map_err(|e| to_ssi(e, method_specific_id))?;
        output(&web.document, web.deactivated)
    }
}

fn output(document: &impl serde::Serialize, deactivated: bool) -> Result<Output<Vec<u8>>, Error> {
    let bytes = serde_json::to_vec(document).map_err(Error::internal)?;
    Ok(Output::new(
        bytes,
        ssi::dids::document::Metadata {
            deactivated: Some(deactivated),
        },
        Metadata::from_content_type(Some(DID_JSON.to_owned())),
    ))
}

/// veil's DID resolver for `ssi`: `did:key`, `did:veil` and `did:web`.
pub type VeilResolver = (DIDKey, VeilMethod, WebMethod);

/// The verification-method resolver ssi signs and verifies with.
pub fn vm_resolver(
    resolver: &VeilResolver,
) -> ssi::dids::VerificationMethodDIDResolver<VeilResolver, ssi::verification_methods::AnyMethod> {
    use ssi::dids::DIDResolver;
    (DIDKey, resolver.1.clone(), resolver.2.clone()).into_vm_resolver()
}

/// The resolver over `registry`, with did:web from its hosts
/// ([`WebMethod::default_for_build`]).
pub fn resolver<S: DidSource + 'static>(registry: Arc<S>) -> VeilResolver {
    (
        DIDKey,
        VeilMethod::new(registry),
        WebMethod::default_for_build(),
    )
}

/// The resolver of did:veil by `veil` and did:web by `web`.
pub fn resolver_with(veil: VeilMethod, web: WebMethod) -> VeilResolver {
    (DIDKey, veil, web)
}

/// The resolver over a remote DID Resolution endpoint, with did:web from
/// its hosts.
#[cfg(feature = "remote")]
pub fn remote_resolver(endpoint: crate::remote::RemoteResolver) -> VeilResolver {
    (
        DIDKey,
        VeilMethod::remote(endpoint),
        WebMethod::default_for_build(),
    )
}
