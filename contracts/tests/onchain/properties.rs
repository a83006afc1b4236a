//! A property test of the gate on revm: seeded random sequences of
//! settlements (honest, for another payment, with a statement word shifted
//! by r), direct `consume` calls, root publications, role grants (direct and
//! through the timelock, early and on time) and clock moves, from several
//! accounts. After every step the chain must agree with a model:
//! - a nullifier is spent at most once per scope (uniqueness policy);
//! - a payment settles at most once, and only with a proof made for it;
//! - no role changes but through a timelock operation past its delay.

use crate::fixture::*;
use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::SolCall;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use veil_circuits::statement::{Payment, PublicInputs};
use veil_contracts::abi::IComplianceGate;
use veil_contracts::system::{account, sol_payment, sol_proof, statement, uint};
use veil_verifier::Proof;

const SEQUENCES: u64 = 12;
const STEPS: usize = 40;

/// Accounts that act: payer, payee, the publisher, a stranger, an owner.
fn actors() -> [Address; 5] {
    [payer(), payee(), account(5), account(0x66), account(2)]
}

struct Prepared {
    payment: Payment,
    proof: Proof,
    public: PublicInputs,
}

/// The gate's roles: consumer, revocation publisher, policy admin, admin.
fn roles(w: &mut World) -> Vec<FixedBytes<32>> {
    let (gate, chain) = (w.system.gate, &mut w.system.chain);
    vec![
        chain
            .view_call(payer(), gate, &IComplianceGate::CONSUMER_ROLECall {})
            .expect("role"),
        chain
            .view_call(
                payer(),
                gate,
                &IComplianceGate::REVOCATION_PUBLISHER_ROLECall {},
            )
            .expect("role"),
        chain
            .view_call(payer(), gate, &IComplianceGate::POLICY_ADMIN_ROLECall {})
            .expect("role"),
        chain
            .view_call(payer(), gate, &IComplianceGate::DEFAULT_ADMIN_ROLECall {})
            .expect("role"),
    ]
}

const CONSUMER: usize = 0;
const PUBLISHER: usize = 1;

/// Which (role, account) pairs hold now.
fn role_table(w: &mut World, roles: &[FixedBytes<32>]) -> HashSet<(usize, Address)> {
    let gate = w.system.gate;
    let mut held = HashSet::new();
    for (i, role) in roles.iter().enumerate() {
        for who in actors() {
            let has: bool = w
                .system
                .chain
                .view_call(
                    payer(),
                    gate,
                    &IComplianceGate::hasRoleCall {
                        role: *role,
                        account: who,
                    },
                )
                .expect("hasRole");
            if has {
                held.insert((i, who));
            }
        }
    }
    held
}

#[test]
fn random_call_sequences_keep_the_gates_invariants() {
    let base = World::new(true);
    let prepared: Vec<Prepared> = (1..=3u128)
        .map(|nonce| {
            let payment = base.payment(nonce);
            let (proof, public) = base.prove(&payment);
            Prepared {
                payment,
                proof,
                public,
            }
        })
        .collect();
    drop(base);
    let mut settled_total = 0;
    for seed in 0..SEQUENCES {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut w = World::new(true);
        let gate = w.system.gate;
        let consumer = crate::trust::grant_consumer(&mut w);
        let roles = roles(&mut w);
        let mut held = role_table(&mut w, &roles);
        let mut settled_payments: HashSet<usize> = HashSet::new();
        let mut spent_nullifiers = 0usize;
        let mut pending: Vec<(Vec<u8>, FixedBytes<32>, u64)> = Vec::new();
        for _ in 0..STEPS {
            let actor = actors()[rng.gen_range(0..actors().len())];
            let mut granted_by_timelock = false;
            match rng.gen_range(0..8) {
                // An honest settlement (the payer, its own payment).
                0 | 1 => {
                    let i = rng.gen_range(0..prepared.len());
                    let p = &prepared[i];
                    let ok = w.system.settle(&p.proof, &p.public, &p.payment).is_ok();
                    if ok {
                        assert!(
                            settled_payments.insert(i),
                            "seed {seed}: payment {i} settled twice"
                        );
                        spent_nullifiers += 1;
                        assert_eq!(
                            spent_nullifiers, 1,
                            "seed {seed}: one holder's nullifier spent twice in a scope"
                        );
                        settled_total += 1;
                    }
                }
                // A proof presented for another payment.
                2 => {
                    let i = rng.gen_range(0..prepared.len());
                    let j = (i + 1) % prepared.len();
                    let p = &prepared[i];
                    assert!(
                        w.system
                            .settle(&p.proof, &p.public, &prepared[j].payment)
                            .is_err(),
                        "seed {seed}: a proof settled another payment"
                    );
                }
                // A statement word shifted by r, through consume as the
                // router (the settlement path's own call).
                3 => {
                    let p = &prepared[rng.gen_range(0..prepared.len())];
                    let word = rng.gen_range(0..9);
                    let st = crate::trust::shifted(&statement(&p.public), word, 1);
                    let call = IComplianceGate::consumeCall {
                        proof: sol_proof(&p.proof),
                        st,
                        payment: sol_payment(&p.payment),
                    };
                    let result = w
                        .system
                        .chain
                        .send(consumer, gate, call.abi_encode().into());
                    assert!(result.is_err(), "seed {seed}: word {word} + r consumed");
                }
                // consume from someone who is not a consumer (the consumer
                // role is never granted to an actor below).
                4 => {
                    assert!(!held.contains(&(CONSUMER, actor)));
                    let p = &prepared[rng.gen_range(0..prepared.len())];
                    let call = IComplianceGate::consumeCall {
                        proof: sol_proof(&p.proof),
                        st: statement(&p.public),
                        payment: sol_payment(&p.payment),
                    };
                    assert!(
                        w.system
                            .chain
                            .send(actor, gate, call.abi_encode().into())
                            .is_err(),
                        "seed {seed}: {actor} consumed without the role"
                    );
                }
                // Roots: the issuers root and any revocation root directly
                // (never allowed), an append of revocations (the publisher
                // only: it passes the role check and is refused for listing
                // nothing, so the honest proofs stay valid).
                5 => {
                    let issuers = IComplianceGate::publishIssuersRootCall {
                        root: U256::from(rng.gen::<u64>()),
                    };
                    assert!(w
                        .system
                        .chain
                        .send(actor, gate, issuers.abi_encode().into())
                        .is_err());
                    let revocation = IComplianceGate::setRevocationRootCall {
                        root: uint(&prepared[0].public.revocation_root),
                    };
                    assert!(w
                        .system
                        .chain
                        .send(actor, gate, revocation.abi_encode().into())
                        .is_err());
                    let append = IComplianceGate::appendRevocationsCall { insertions: vec![] };
                    let refusal = w
                        .system
                        .chain
                        .send(actor, gate, append.abi_encode().into())
                        .expect_err("an empty append is refused");
                    let expected = if held.contains(&(PUBLISHER, actor)) {
                        "NothingToAppend"
                    } else {
                        "AccessControlUnauthorizedAccount"
                    };
                    assert_eq!(
                        refusal.error_name(),
                        Some(expected),
                        "seed {seed}: {actor} appended"
                    );
                }
                // A role grant (revocation publisher or policy admin):
                // directly (never), or scheduled and executed, early
                // (refused) or after the delay (the only way).
                6 => {
                    let role = roles[rng.gen_range(PUBLISHER..=2)];
                    let grant = IComplianceGate::grantRoleCall {
                        role,
                        account: actors()[rng.gen_range(0..actors().len())],
                    }
                    .abi_encode();
                    assert!(w
                        .system
                        .chain
                        .send(actor, gate, grant.clone().into())
                        .is_err());
                    let salt = w.system.schedule(gate, &grant).expect("schedule");
                    pending.push((grant, salt, w.system.chain.timestamp()));
                }
                _ => {
                    if let Some((grant, salt, at)) = pending.pop() {
                        let delay = w.system.config().timelock_delay;
                        let early = w.system.chain.timestamp() < at + delay;
                        let result = w.system.execute_scheduled(gate, &grant, salt);
                        assert_eq!(
                            result.is_ok(),
                            !early,
                            "seed {seed}: timelock early={early}"
                        );
                        granted_by_timelock = result.is_ok();
                    } else {
                        w.system.chain.warp(rng.gen_range(1..4 * 3600));
                    }
                }
            }
            let now = role_table(&mut w, &roles);
            if !granted_by_timelock {
                assert_eq!(
                    now, held,
                    "seed {seed}: a role changed outside the timelock"
                );
            }
            held = now;
            // The chain's books agree with the model.
            let used: bool = w
                .system
                .chain
                .view_call(
                    payer(),
                    gate,
                    &IComplianceGate::nullifierUsedCall {
                        scope: uint(&prepared[0].public.scope),
                        nullifier: uint(&prepared[0].public.nullifier),
                    },
                )
                .expect("nullifierUsed");
            assert_eq!(used, spent_nullifiers == 1, "seed {seed}");
        }
        // Occasionally a sequence moves past the timelock's delay and then
        // executes what it scheduled.
        if seed % 3 == 0 {
            w.system.chain.warp(w.system.config().timelock_delay);
            for (grant, salt, _) in pending.drain(..) {
                w.system
                    .execute_scheduled(gate, &grant, salt)
                    .expect("executes after the delay");
            }
        }
    }
    assert!(settled_total > 0, "no sequence settled anything");
}
