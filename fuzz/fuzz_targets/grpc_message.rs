//! Any bytes as a gRPC request body of each of the service's methods, then
//! through the parsing the handler does before any work: typed errors (the
//! service maps them to `InvalidArgument`), no panics. The first byte picks
//! the message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prost::Message;
use veil_circuits::statement::files::{PaymentContextJson, PolicyJson};
use veil_client::pb;
use veil_client::proof::parse_proof;
use veil_client::request::parse_prove;

fn verify_request(r: &pb::VerifyRequest) {
    let _ = parse_proof(r.proof.as_ref());
    if let Ok(policy) = serde_json::from_str::<PolicyJson>(&r.policy_json) {
        let _ = policy.to_policy();
    }
    if let Ok(context) = serde_json::from_str::<PaymentContextJson>(&r.context_json) {
        let _ = context.to_context();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 8 {
        0 => {
            if let Ok(r) = pb::ProveRequest::decode(body) {
                let _ = parse_prove(&r);
            }
        }
        1 => {
            if let Ok(r) = pb::VerifyRequest::decode(body) {
                verify_request(&r);
            }
        }
        2 => {
            if let Ok(r) = pb::VerifyBatchRequest::decode(body) {
                r.items.iter().for_each(verify_request);
            }
        }
        3 => {
            if let Ok(r) = pb::ResolveDidRequest::decode(body) {
                let _ = veil_did::registry::parse_did(&r.did);
            }
        }
        4 => drop(pb::JobRequest::decode(body)),
        5 => drop(pb::GetEntriesRequest::decode(body)),
        6 => drop(pb::RecordDisclosureRequest::decode(body)),
        _ => {
            // What an auditor's client reads back from a (hostile) server.
            let _ = pb::SignedTreeHead::decode(body);
            let _ = pb::GetEntriesResponse::decode(body);
            let _ = pb::AuditProof::decode(body);
            let _ = pb::ProofJob::decode(body);
        }
    }
});
