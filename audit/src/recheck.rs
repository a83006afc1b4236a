//! Re-verifying the proofs a log holds: an audit re-hashes every entry, and
//! with the regulator's verifying keys ([`KeyChecker`]) also checks that each
//! logged verdict is the one the proof deserves.

use crate::audit::{Recheck, VerdictChecker};
use crate::entry::VerificationRecord;
use veil_verifier::SystemKey;

/// Re-verifies logged proofs with the regulator's verifying keys, one per
/// proving system.
pub struct KeyChecker<'a>(pub &'a [SystemKey]);

impl VerdictChecker for KeyChecker<'_> {
    fn recheck(&self, record: &VerificationRecord) -> Recheck {
        let Some(key) = self.0.iter().find(|k| k.system().name() == record.system) else {
            return Recheck::Unchecked(format!("no {} key given", record.system));
        };
        let proof = match veil_verifier::proof_from_json(&record.proof) {
            Ok(p) => p,
            Err(e) => return Recheck::Failed(format!("logged proof: {e:#}")),
        };
        let public = match record.decoded_inputs() {
            Ok(p) => p,
            Err(e) => return Recheck::Failed(format!("logged public inputs: {e}")),
        };
        match key.verify_statement(&proof, &public) {
            Ok(()) => Recheck::Verified,
            Err(e) => Recheck::Failed(e.to_string()),
        }
    }
}
