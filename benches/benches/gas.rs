//! Gas of veil's on-chain path on revm (Prague rules), with real proofs from
//! the demo key: the verifier alone, the gate's `check` and `consume`, and a
//! full `settle` through the router; next to the precompile floor for this
//! statement and to snarkjs's exported verifier for the same key.
//!
//!   cargo bench -p veil-benches --bench gas
//!
//! Gas is deterministic, so this prints one table rather than timing.
//! snarkjs's verifier needs `npm ci` in benches/peer and contracts/; without
//! node or those packages its row says why it is missing.

use alloy_primitives::U256;
use alloy_sol_types::SolCall;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::process::Command;
use veil_circuits::statement::sample::Sample;
use veil_contracts::abi::{IComplianceGate, IPoseidonT3, IPoseidonT5};
use veil_contracts::system::{
    account, sol_insertion, sol_payment, sol_proof, statement, verify_call,
};
use veil_contracts::{Config, System};
use veil_prover::{insecure_demo_setup, Prover};

/// EIP-2028 calldata cost (4 per zero byte, 16 per non-zero byte).
fn calldata_gas(data: &[u8]) -> u64 {
    data.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum()
}

const BASE: u64 = 21_000;
/// EIP-1108: pairing 45,000 + 34,000 per pair (4 pairs); ecMul 6,000 and
/// ecAdd 150 per public input (10).
const PRECOMPILE_FLOOR: u64 = 45_000 + 4 * 34_000 + 10 * (6_000 + 150);

fn snarkjs_verifier(vk_json: &str) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let vk_path = dir.path().join("verification_key.json");
    std::fs::write(&vk_path, vk_json).map_err(|e| e.to_string())?;
    let script = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("peer/snarkjs_verifier.js");
    let out = Command::new("node")
        .arg(script)
        .arg(&vk_path)
        .output()
        .map_err(|e| format!("node not found ({e})"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    hex::decode(out.stdout.trim_ascii()).map_err(|e| e.to_string())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(()); // `cargo test --benches` asks for a list; nothing to run
    }
    eprintln!("setting up the demo key and proving once...");
    let keys = insecure_demo_setup(|_| {})?;
    let vk_json = veil_verifier::snarkjs::verifying_key_to_string(keys.verifying_key());
    let prover = Prover::new(keys.proving_key)?;

    // Two identical deployments (same addresses, so one proof serves both):
    // the first measures verify, check and consume, the second settle.
    let (payer, payee) = (account(0x10), account(0x11));
    let deploy = |sample: &Sample| -> Result<System, Box<dyn std::error::Error>> {
        let mut system = System::deploy(Config::default())?;
        system.prepare_for(sample, true)?;
        system.fund(payer, 250_000_000)?;
        Ok(system)
    };
    let mut sample = Sample::new(&mut StdRng::seed_from_u64(7));
    let mut system = deploy(&sample)?;
    let payment = system.payment(payer, payee, 250_000_000, 1);
    sample.context.payment_hash = payment.hash();
    let mut settlement = deploy(&sample)?;
    assert_eq!(settlement.gate, system.gate);
    let (proof, public) = prover.prove(sample.witness()?, &mut StdRng::seed_from_u64(1))?;

    let mut rows: Vec<(String, u64, u64)> = Vec::new();
    let verify = verify_call(&proof, &public.to_vec()).abi_encode();
    let (ok, r) = system.verify_on_chain(&proof, &public)?;
    assert!(ok, "the generated verifier rejected the proof");
    rows.push((
        "verifyProof (veil Groth16Verifier)".into(),
        r.gas_used,
        calldata_gas(&verify),
    ));

    match snarkjs_verifier(&vk_json) {
        Ok(code) => {
            let deployer = system.deployer;
            let addr = system.chain.deploy(deployer, code.into())?;
            let r = system.chain.view(deployer, addr, verify.clone().into())?;
            assert_eq!(
                U256::from_be_slice(&r.output),
                U256::from(1u64),
                "snarkjs's verifier rejected the proof"
            );
            rows.push((
                "verifyProof (snarkjs 0.7.6 template)".into(),
                r.gas_used,
                calldata_gas(&verify),
            ));
        }
        Err(why) => eprintln!("snarkjs verifier skipped: {why}"),
    }

    let check = IComplianceGate::checkCall {
        proof: sol_proof(&proof),
        st: statement(&public),
        payment: sol_payment(&payment),
    };
    let r = system.check(&proof, &public, &payment)?;
    rows.push((
        "gate.check (view)".into(),
        r.gas_used,
        calldata_gas(&check.abi_encode()),
    ));

    // consume alone, by an account granted the consumer role through governance.
    let consumer = account(0x30);
    let gate = system.gate;
    let role = system
        .chain
        .view_call(payer, gate, &IComplianceGate::CONSUMER_ROLECall {})?;
    system.govern(
        gate,
        IComplianceGate::grantRoleCall {
            role,
            account: consumer,
        }
        .abi_encode(),
    )?;
    system.set_day(sample.context.today);
    let consume = IComplianceGate::consumeCall {
        proof: sol_proof(&proof),
        st: statement(&public),
        payment: sol_payment(&payment),
    };
    let data = consume.abi_encode();
    let r = system.chain.send(consumer, gate, data.clone().into())?;
    rows.push((
        "gate.consume (spends nullifier)".into(),
        r.gas_used,
        calldata_gas(&data),
    ));

    let data = veil_contracts::system::settle_call(&proof, &public, &payment).abi_encode();
    let r = settlement.settle(&proof, &public, &payment)?;
    rows.push((
        "router.settle (consume + ERC-20 transfer)".into(),
        r.gas_used,
        calldata_gas(&data),
    ));

    // The floor for a call is 21,000 + its own calldata + the precompiles.
    println!("| call | gas (tx total) | calldata | execution | ÷ (21,000 + calldata + precompile floor) |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| precompile floor (pairing of 4 pairs + 10 × (ecMul + ecAdd)), verifier calldata | {} | {} | {PRECOMPILE_FLOOR} | 1.000 |",
        BASE + calldata_gas(&verify) + PRECOMPILE_FLOOR,
        calldata_gas(&verify)
    );
    for (name, total, calldata) in rows {
        let execution = total - BASE - calldata;
        let floor = BASE + calldata + PRECOMPILE_FLOOR;
        println!(
            "| {name} | {total} | {calldata} | {execution} | {:.3} |",
            total as f64 / floor as f64
        );
    }
    revocation_rows(&sample, &mut settlement)?;
    halo2_rows(&sample, &payment, deploy)
}

/// The fast key's revocation appends: one id, and a batch of four (each
/// checked on chain as an insertion into the current tree).
fn revocation_rows(sample: &Sample, system: &mut System) -> Result<(), Box<dyn std::error::Error>> {
    let mut tree = sample.revocation_tree.clone();
    let mut next_id = 1u64;
    let mut insertions = |n: usize| -> Result<Vec<_>, veil_circuits::imt::ImtError> {
        (0..n)
            .map(|_| {
                next_id += 1;
                tree.insert_proved(veil_circuits::F::from(next_id))
            })
            .collect()
    };
    // One hash of each width the append makes (a node is Poseidon(4), a
    // leaf Poseidon(2)), called on its own: what a level of the tree costs.
    let (from, gate) = (system.deployer, system.gate);
    let t3 = system
        .chain
        .view_call(from, gate, &IComplianceGate::poseidonCall {})?;
    let t5 = system
        .chain
        .view_call(from, gate, &IComplianceGate::poseidon4Call {})?;
    let one = U256::from(1u64);
    let hashes: [(&str, alloy_primitives::Address, Vec<u8>); 2] = [
        (
            "PoseidonT3.hash (a leaf)",
            t3,
            IPoseidonT3::hashCall { inputs: [one; 2] }.abi_encode(),
        ),
        (
            "PoseidonT5.hash (a node)",
            t5,
            IPoseidonT5::hashCall { inputs: [one; 4] }.abi_encode(),
        ),
    ];
    println!();
    println!("| one hash, called alone | gas (tx total) | calldata | execution |");
    println!("|---|---:|---:|---:|");
    for (name, to, data) in hashes {
        let calldata = calldata_gas(&data);
        let total = system.chain.send(from, to, data.into())?.gas_used;
        println!(
            "| {name} | {total} | {calldata} | {} |",
            total - BASE - calldata
        );
    }
    println!();
    println!("| revocation append | gas (tx total) | calldata | execution | per id |");
    println!("|---|---:|---:|---:|---:|");
    for n in [1usize, 4] {
        let batch = insertions(n)?;
        let call = IComplianceGate::appendRevocationsCall {
            insertions: batch.iter().map(sol_insertion).collect(),
        };
        let calldata = calldata_gas(&call.abi_encode());
        let total = system.append_revocations(&batch)?.gas_used;
        println!(
            "| gate.appendRevocations ({n} id{}) | {total} | {calldata} | {} | {} |",
            if n == 1 { "" } else { "s" },
            total - BASE - calldata,
            total / n as u64
        );
    }
    Ok(())
}

/// The same calls with a halo2-KZG proof (snark-verifier's committed
/// verifier for the insecure halo2 demo keys).
fn halo2_rows(
    sample: &Sample,
    payment: &veil_circuits::statement::Payment,
    deploy: impl Fn(&Sample) -> Result<System, Box<dyn std::error::Error>>,
) -> Result<(), Box<dyn std::error::Error>> {
    eprintln!("halo2: the demo parameters and keys, one proof...");
    let (params, keys) = veil_halo2::keys::insecure_demo_keys()?;
    let proof = veil_halo2::prove(&params, &keys, &sample.witness()?, StdRng::seed_from_u64(1))?;
    let (bytes, public) = (proof.bytes, proof.public);
    let mut system = deploy(sample)?;
    let mut settlement = deploy(sample)?;
    let verify = veil_halo2::evm::calldata(&public, &bytes);
    let mut rows = vec![(
        "Halo2Verifier (snark-verifier 0.2.7, GWC19)".to_string(),
        system.verify_on_chain_halo2(&bytes, &public)?.gas_used,
        calldata_gas(&verify),
    )];
    let check = IComplianceGate::checkHalo2Call {
        proof: bytes.clone().into(),
        st: statement(&public),
        payment: sol_payment(payment),
    };
    rows.push((
        "gate.checkHalo2 (view)".into(),
        system.check_halo2(&bytes, &public, payment)?.gas_used,
        calldata_gas(&check.abi_encode()),
    ));
    let settle = veil_contracts::system::settle_halo2_call(&bytes, &public, payment);
    rows.push((
        "router.settleHalo2 (consumeHalo2 + ERC-20 transfer)".into(),
        settlement.settle_halo2(&bytes, &public, payment)?.gas_used,
        calldata_gas(&settle.abi_encode()),
    ));
    println!();
    println!(
        "| halo2 call ({} proof bytes) | gas (tx total) | calldata | execution |",
        bytes.len()
    );
    println!("|---|---:|---:|---:|");
    for (name, total, calldata) in rows {
        println!(
            "| {name} | {total} | {calldata} | {} |",
            total - BASE - calldata
        );
    }
    Ok(())
}
