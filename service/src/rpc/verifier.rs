//! `veil.v1.Verifier`: one proof or a batch, each verdict an entry in the
//! audit log before it is answered.

use super::{on_cpu_pool, status_of_request};
use crate::audit_log::{verification_entry, AuditLog};
use crate::auth::{caller_of, RateLimiter};
use crate::engine::{Engine, ProofCheck, RequestError, Verdict};
use crate::pb;
use crate::pb::verifier_server::Verifier;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tonic::{Request, Response, Status};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{PaymentContextJson, PolicyJson};
use veil_client::proof::parse_proof;
use veil_client::request::document;

/// Most items one `VerifyBatch` may carry.
pub const MAX_BATCH: usize = 1024;

/// The `Verifier` service.
pub struct VerifierService {
    engine: Arc<Engine>,
    slots: Arc<Semaphore>,
    log: Arc<AuditLog>,
    limiter: Arc<RateLimiter>,
    max_anonymous_batch: usize,
}

impl VerifierService {
    /// Verifies with `engine` on the CPU pool's `slots`, logs to `log`, and
    /// charges each batch item to `limiter`; an anonymous batch carries at
    /// most `max_anonymous_batch` items.
    pub fn new(
        engine: Arc<Engine>,
        slots: Arc<Semaphore>,
        log: Arc<AuditLog>,
        limiter: Arc<RateLimiter>,
        max_anonymous_batch: usize,
    ) -> Self {
        VerifierService {
            engine,
            slots,
            log,
            limiter,
            max_anonymous_batch,
        }
    }
}

/// A request in the engine's terms: the proof decoded and the policy and
/// payment read (an empty document is "not asked"), each bad field named.
fn proof_check(request: &pb::VerifyRequest) -> Result<ProofCheck, RequestError> {
    let (proof, public) = parse_proof(request.proof.as_ref())?;
    let policy = (!request.policy_json.trim().is_empty())
        .then(|| document("policy_json", &request.policy_json, PolicyJson::to_policy))
        .transpose()?;
    let context = (!request.context_json.trim().is_empty())
        .then(|| {
            document(
                "context_json",
                &request.context_json,
                PaymentContextJson::to_context,
            )
        })
        .transpose()?;
    Ok(ProofCheck {
        proof,
        public,
        policy,
        context,
        accept_stale_roots: request.accept_stale_roots,
    })
}

/// The verdict as the API answers it (the log fields are filled once the
/// verdict is logged).
fn response_of(verdict: &Verdict) -> pb::VerifyResponse {
    pb::VerifyResponse {
        valid: verdict.valid(),
        reason: verdict
            .refusal
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        nullifier: field_to_decimal(&verdict.nullifier),
        issuers_root_current: verdict.issuers_root_current,
        revocation_root_current: verdict.revocation_root_current,
        ..Default::default()
    }
}

/// A batch without repeats: the distinct items, and for each original item
/// the position of its distinct copy. A proof repeated in a batch is
/// verified and logged once.
pub fn distinct_items(items: Vec<pb::VerifyRequest>) -> (Vec<pb::VerifyRequest>, Vec<usize>) {
    use prost::Message;
    let mut seen: std::collections::HashMap<[u8; 32], usize> = std::collections::HashMap::new();
    let mut distinct = Vec::new();
    let mut slots = Vec::with_capacity(items.len());
    for item in items {
        let digest = *blake3::hash(&item.encode_to_vec()).as_bytes();
        let slot = *seen.entry(digest).or_insert_with(|| {
            distinct.push(item);
            distinct.len() - 1
        });
        slots.push(slot);
    }
    (distinct, slots)
}

#[tonic::async_trait]
impl Verifier for VerifierService {
    /// Verifies, logs the verdict, then answers with the entry's index.
    async fn verify(
        &self,
        request: Request<pb::VerifyRequest>,
    ) -> Result<Response<pb::VerifyResponse>, Status> {
        let caller = caller_of(&request);
        let engine = self.engine.clone();
        let request = request.into_inner();
        let (request, verdict) = on_cpu_pool(&self.slots, move || {
            let verdict = proof_check(&request).and_then(|check| engine.verify(&check));
            (request, verdict)
        })
        .await?;
        let mut response = response_of(&verdict.map_err(status_of_request)?);
        let entry = verification_entry(&request, &response, caller.label());
        let logged = self.log.record(vec![entry]).await?;
        response.log_index = logged.first;
        response.log_head = Some(super::audit::head_message(&logged.head));
        response.log_entry = logged.entries.into_iter().next().unwrap_or_default();
        Ok(Response::new(response))
    }

    async fn verify_batch(
        &self,
        request: Request<pb::VerifyBatchRequest>,
    ) -> Result<Response<pb::VerifyBatchResponse>, Status> {
        let caller = caller_of(&request);
        let items = request.into_inner().items;
        let most = if caller.key_id.is_some() {
            MAX_BATCH
        } else {
            self.max_anonymous_batch
        };
        if items.len() > most {
            return Err(Status::invalid_argument(format!(
                "items: at most {most} per batch{}, got {}",
                if caller.key_id.is_some() {
                    ""
                } else {
                    " without an API key"
                },
                items.len()
            )));
        }
        // The interceptor charged the request; each further item costs one
        // more token, so a batch is no cheaper per verification than calls.
        if !self
            .limiter
            .try_acquire_n(caller.label(), items.len().saturating_sub(1))
        {
            return Err(Status::resource_exhausted(format!(
                "rate limit exceeded for {}: a batch costs one request per item",
                caller.label()
            )));
        }
        let (items, slots) = distinct_items(items);
        let engine = self.engine.clone();
        let (items, verdicts) = on_cpu_pool(&self.slots, move || {
            let verdicts = items
                .iter()
                .enumerate()
                .map(|(i, item)| proof_check(item).map_err(|e| (i, e)))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|checks| engine.verify_batch(&checks));
            (items, verdicts)
        })
        .await?;
        let mut results: Vec<pb::VerifyResponse> = verdicts
            .map(|verdicts| verdicts.iter().map(response_of).collect())
            .map_err(|(i, e)| {
                let status = status_of_request(e);
                // Name the first original item with that content.
                let i = slots.iter().position(|&s| s == i).unwrap_or(i);
                Status::new(status.code(), format!("items[{i}].{}", status.message()))
            })?;
        let entries = items
            .iter()
            .zip(&results)
            .map(|(item, result)| verification_entry(item, result, caller.label()))
            .collect();
        let logged = self.log.record(entries).await?;
        let head = super::audit::head_message(&logged.head);
        for ((i, result), entry) in results.iter_mut().enumerate().zip(logged.entries) {
            result.log_index = logged.first + i as u64;
            result.log_head = Some(head.clone());
            result.log_entry = entry;
        }
        let results = slots.into_iter().map(|s| results[s].clone()).collect();
        Ok(Response::new(pb::VerifyBatchResponse { results }))
    }
}
