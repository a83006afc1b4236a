//! `veil.v1.Registry`: did:veil documents and the trusted-issuer and
//! revocation roots proofs are checked against.

use super::json;
use crate::engine::Engine;
use crate::pb;
use crate::pb::registry_server::Registry;
use std::sync::Arc;
use tonic::{Request, Response, Status};
use veil_circuits::encoding::field_to_decimal;

/// The `Registry` service.
pub struct RegistryService {
    engine: Arc<Engine>,
    dids: Arc<veil_did::Registry>,
}

impl RegistryService {
    /// Answers roots from `engine`'s lists and DIDs from `dids`.
    pub fn new(engine: Arc<Engine>, dids: Arc<veil_did::Registry>) -> Self {
        RegistryService { engine, dids }
    }
}

#[tonic::async_trait]
impl Registry for RegistryService {
    async fn resolve_did(
        &self,
        request: Request<pb::ResolveDidRequest>,
    ) -> Result<Response<pb::ResolveDidResponse>, Status> {
        let request = request.into_inner();
        if request.did.is_empty() {
            return Err(Status::invalid_argument("did: missing"));
        }
        let version = match request.version_id.as_str() {
            "" => None,
            v => Some(
                v.parse::<u64>()
                    .map_err(|_| Status::invalid_argument("version_id: not a number"))?,
            ),
        };
        use veil_did::ResolutionError as E;
        let resolution = self
            .dids
            .resolve(&request.did, version)
            .map_err(|e| match e {
                E::InvalidDid(_) | E::MethodNotSupported(_) => {
                    Status::invalid_argument(format!("did: {e}"))
                }
                E::NotFound(_) => Status::not_found(e.to_string()),
                E::Remote(_) => Status::unavailable(e.to_string()),
                E::Internal(_) => Status::internal(e.to_string()),
            })?;
        Ok(Response::new(pb::ResolveDidResponse {
            document_json: json(&resolution.did_document)?,
            metadata_json: json(&resolution.did_document_metadata)?,
        }))
    }

    async fn get_roots(
        &self,
        _request: Request<pb::GetRootsRequest>,
    ) -> Result<Response<pb::GetRootsResponse>, Status> {
        let registry = self.engine.registry();
        Ok(Response::new(pb::GetRootsResponse {
            issuers_root: field_to_decimal(&registry.issuers_root()),
            revocation_root: field_to_decimal(&registry.revocation_root()),
            issuer_count: registry.issuer_count() as u32,
            revoked_count: registry.revoked_count() as u32,
        }))
    }
}
