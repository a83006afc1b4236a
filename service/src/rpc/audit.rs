//! `veil.v1.AuditLog`: what a regulator's audit (`veil regulator audit
//! --server`, `veil-audit`) reads (signed heads, entries, RFC 9162 proofs), and where a
//! regulator records a disclosure before asking the issuer.

use crate::audit_log::AuditLog;
use crate::auth::caller_of;
use crate::pb;
use crate::pb::audit_log_server::AuditLog as AuditLogRpc;
use std::sync::Arc;
use tonic::{Request, Response, Status};
use veil_audit::entry::{now_unix_ms, DisclosureRecord};
use veil_audit::{Entry, LogError};
use veil_circuits::statement::files::PointJson;

pub use veil_client::MAX_ENTRIES_PER_CALL;
/// A disclosure's grounds (a case reference), in bytes at most: the log is
/// forever, so nothing unbounded goes into it.
pub const MAX_GROUNDS_BYTES: usize = 1024;
/// A regulator key coordinate's decimal digits at most (r has 77).
const MAX_COORDINATE_DIGITS: usize = 78;

/// The `AuditLog` service.
pub struct AuditLogService {
    log: Arc<AuditLog>,
}

impl AuditLogService {
    /// Serves `log`.
    pub fn new(log: Arc<AuditLog>) -> Self {
        AuditLogService { log }
    }
}

fn status_of_log(e: LogError) -> Status {
    match e {
        LogError::OutOfRange { .. } => Status::out_of_range(e.to_string()),
        _ => Status::internal(e.to_string()),
    }
}

pub use veil_client::client::head_message;

fn proof_message(hashes: Vec<[u8; 32]>) -> pb::AuditProof {
    pb::AuditProof {
        hashes: hashes.into_iter().map(|h| h.to_vec()).collect(),
    }
}

#[tonic::async_trait]
impl AuditLogRpc for AuditLogService {
    async fn get_signed_tree_head(
        &self,
        _request: Request<pb::GetSignedTreeHeadRequest>,
    ) -> Result<Response<pb::SignedTreeHead>, Status> {
        Ok(Response::new(head_message(&self.log.log().head())))
    }

    async fn get_entries(
        &self,
        request: Request<pb::GetEntriesRequest>,
    ) -> Result<Response<pb::GetEntriesResponse>, Status> {
        let pb::GetEntriesRequest { start, end } = request.into_inner();
        if end < start {
            return Err(Status::invalid_argument("end: must not be below start"));
        }
        if end - start > MAX_ENTRIES_PER_CALL {
            return Err(Status::invalid_argument(format!(
                "end: at most {MAX_ENTRIES_PER_CALL} entries per call"
            )));
        }
        let entries = self
            .log
            .log()
            .entries_page(start, end, veil_client::MAX_PAGE_BYTES)
            .map_err(status_of_log)?;
        Ok(Response::new(pb::GetEntriesResponse { entries }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::AuditProof>, Status> {
        let r = request.into_inner();
        let proof = self
            .log
            .log()
            .consistency_proof(r.first, r.second)
            .map_err(status_of_log)?;
        Ok(Response::new(proof_message(proof)))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::AuditProof>, Status> {
        let r = request.into_inner();
        let proof = self
            .log
            .log()
            .inclusion_proof(r.index, r.tree_size)
            .map_err(status_of_log)?;
        Ok(Response::new(proof_message(proof)))
    }

    async fn record_disclosure(
        &self,
        request: Request<pb::RecordDisclosureRequest>,
    ) -> Result<Response<pb::RecordDisclosureResponse>, Status> {
        let caller = caller_of(&request);
        if caller.key_id.is_none() {
            return Err(Status::unauthenticated(
                "recording a disclosure needs the regulator's API key",
            ));
        }
        if !caller.is_regulator() {
            return Err(Status::permission_denied(format!(
                "API key {} is not a regulator's: only regulator keys record disclosures",
                caller.label()
            )));
        }
        let r = request.into_inner();
        if r.grounds.len() > MAX_GROUNDS_BYTES {
            return Err(Status::invalid_argument(format!(
                "grounds: at most {MAX_GROUNDS_BYTES} bytes, got {}",
                r.grounds.len()
            )));
        }
        if r.regulator_key_x.len() > MAX_COORDINATE_DIGITS
            || r.regulator_key_y.len() > MAX_COORDINATE_DIGITS
        {
            return Err(Status::invalid_argument(
                "regulator_key: a coordinate longer than a field element",
            ));
        }
        let regulator_key = PointJson {
            x: r.regulator_key_x,
            y: r.regulator_key_y,
        };
        regulator_key
            .to_key("regulator_key")
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let hash_ok =
            r.request_hash.len() == 64 && r.request_hash.bytes().all(|b| b.is_ascii_hexdigit());
        if !hash_ok {
            return Err(Status::invalid_argument(
                "request_hash: expected 64 hex digits (BLAKE3)",
            ));
        }
        let size = self.log.log().size();
        if r.entry_index >= size {
            return Err(Status::out_of_range(format!(
                "entry_index: the log has {size} entries"
            )));
        }
        let entry = Entry::Disclosure(DisclosureRecord {
            time_unix_ms: now_unix_ms(),
            entry_index: r.entry_index,
            regulator_key,
            request_hash: r.request_hash.to_ascii_lowercase(),
            grounds: r.grounds,
        });
        let index = self.log.record(vec![entry]).await?.first;
        Ok(Response::new(pb::RecordDisclosureResponse { index }))
    }
}
