//! The audit log at scale: appends a million verification entries (in groups
//! of 1,024, as the service's group commit does under load), then measures
//! single synced appends, proof sizes and times at that size, and a full
//! regulator audit. Prints a Markdown table for `benches/RESULTS.md`.
//!
//! `cargo run --release -p veil-benches --example audit_scale [-- --entries N]`

use ark_ec::CurveGroup;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Instant;
use veil_audit::threshold::RegulatorShare;
use veil_audit::tree;
use veil_audit::{
    audit_streaming, AuditOptions, AuditorState, Entry, TransparencyLog, VerificationRecord,
};
use veil_circuits::babyjubjub::{base8, point_from_coords, Scalar};
use veil_circuits::eddsa::PublicKey;
use veil_circuits::encoding::{field_from_decimal, field_to_decimal};
use veil_circuits::statement::files::{PointJson, RegulatorKeyJson};
use veil_circuits::statement::{escrow, escrow_randomness};
use veil_circuits::F;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

/// A line of `/proc/self/status` in kB (VmRSS, VmHWM), 0 elsewhere.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let n = arg("--entries", 1_000_000);
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let secret = Scalar::rand(&mut rng);
    let key = PublicKey((base8() * secret).into_affine());
    // A realistic entry: ten decimal inputs with a real escrow; each entry
    // gets its own time and nullifier.
    let ((c1x, c1y), ct) = escrow(F::from(77u64), &key, &escrow_randomness(&mut rng));
    let mut inputs: Vec<String> = (0..7)
        .map(|_| field_to_decimal(&F::rand(&mut rng)))
        .collect();
    inputs.extend([c1x, c1y, ct].iter().map(field_to_decimal));
    let template = VerificationRecord {
        time_unix_ms: 1_760_000_000_000,
        system: "groth16".into(),
        proof: String::new(),
        public_inputs: inputs,
        valid: true,
        reason: String::new(),
        caller: "a1b2c3d4".into(),
        regulator_key: Some(PointJson::from_key(&key)),
    };
    let entry = |i: u64| {
        let mut v = template.clone();
        v.time_unix_ms += i;
        v.public_inputs[6] = field_to_decimal(&F::from(i));
        Entry::Verification(v).to_bytes()
    };
    println!("entry size: {} bytes of JSON", entry(0).len());

    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("log");
    let log = TransparencyLog::open(&path, veil_did::ControllerKey::generate().expect("key"))
        .expect("open");

    // Grouped appends, as under load.
    let started = Instant::now();
    let mut i = 0;
    while i < n {
        let end = (i + 1024).min(n);
        let group: Vec<Vec<u8>> = (i..end).map(entry).collect();
        log.append_bytes(&group).expect("append");
        i = end;
    }
    let grouped = started.elapsed().as_secs_f64();

    // Single synced appends (an idle service: one fsync per verification).
    let singles = 200;
    let started = Instant::now();
    for j in 0..singles {
        log.append_bytes(&[entry(n + j)]).expect("append");
    }
    let single = started.elapsed().as_secs_f64() / singles as f64;
    let size = log.size();
    let head = log.head();
    let root = head.root().expect("root");

    // Inclusion proofs: generation and verification at this size.
    let indices: Vec<u64> = (0..1000).map(|k| (k * 7919 * 131) % size).collect();
    let started = Instant::now();
    let proofs: Vec<Vec<tree::Hash>> = indices
        .iter()
        .map(|&k| log.inclusion_proof(k, size).expect("proof"))
        .collect();
    let gen = started.elapsed().as_secs_f64() / indices.len() as f64;
    let leaves: Vec<tree::Hash> = indices
        .iter()
        .map(|&k| tree::leaf_hash(&log.entries(k, k + 1).expect("entry")[0]))
        .collect();
    let started = Instant::now();
    for ((k, proof), leaf) in indices.iter().zip(&proofs).zip(&leaves) {
        tree::verify_inclusion(leaf, *k, size, proof, &root).expect("verifies");
    }
    let verify = started.elapsed().as_secs_f64() / indices.len() as f64;
    let max_inclusion = proofs.iter().map(Vec::len).max().unwrap_or(0);
    let consistency: Vec<(u64, usize)> = [1, size / 2, size - 1000, size - 1]
        .into_iter()
        .map(|m| (m, log.consistency_proof(m, size).expect("proof").len()))
        .collect();

    // A full audit (no key): read, re-hash, parse every entry.
    let state = AuditorState {
        log_id: head.log_id.clone(),
        head: None,
    };
    let rss_before_audit = status_kb("VmRSS:");
    let started = Instant::now();
    let mut rows = 0u64;
    let (report, _) = audit_streaming(
        &log,
        &state,
        &AuditOptions {
            chunk: 4096,
            ..Default::default()
        },
        |_| rows += 1,
        |_, _| {},
    );
    let audit_s = started.elapsed().as_secs_f64();
    let peak_kb = status_kb("VmHWM:");
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(rows, size);

    // Opening one escrow (a disclosure's cryptography, 1-of-1 key): the
    // official's partial with its proof, then the check and combination.
    let share = RegulatorShare::from_key(&RegulatorKeyJson::from_secret(&secret)).expect("share");
    let c1 = point_from_coords(
        field_from_decimal(&template.public_inputs[7]).expect("x"),
        field_from_decimal(&template.public_inputs[8]).expect("y"),
    )
    .expect("c1");
    let ct = field_from_decimal(&template.public_inputs[9]).expect("ct");
    let opens = 2000;
    let started = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for _ in 0..opens {
        let partial = share
            .partial_decrypt(&c1, b"record", &mut rng)
            .expect("partial");
        let id = share
            .group
            .decrypt(&c1, ct, b"record", &[partial])
            .expect("open");
        assert_eq!(id, F::from(77u64));
    }
    let open_s = started.elapsed().as_secs_f64() / opens as f64;
    drop(log);
    let disk = dir_size(&path);

    println!("| measure | value |");
    println!("|---|---|");
    println!("| entries | {size} |");
    println!(
        "| grouped appends (1,024 per synced batch) | {:.0} entries/s ({:.1} s for {n}) |",
        n as f64 / grouped,
        grouped
    );
    println!(
        "| single synced append (one entry, one signed head) | {:.2} ms ({:.0}/s) |",
        single * 1e3,
        1.0 / single
    );
    println!(
        "| log on disk | {:.0} MB ({:.0} bytes/entry) |",
        disk as f64 / 1e6,
        disk as f64 / size as f64
    );
    println!(
        "| inclusion proof at {size} | {max_inclusion} hashes = {} bytes |",
        max_inclusion * 32
    );
    for (m, len) in consistency {
        println!(
            "| consistency proof {m} → {size} | {len} hashes = {} bytes |",
            len * 32
        );
    }
    println!(
        "| inclusion proof: generate (RocksDB) | {:.1} µs |",
        gen * 1e6
    );
    println!("| inclusion proof: verify | {:.1} µs |", verify * 1e6);
    println!(
        "| audit memory (streaming, rows not kept) | RSS {:.0} MB before, process peak {:.0} MB |",
        rss_before_audit as f64 / 1024.0,
        peak_kb as f64 / 1024.0
    );
    println!(
        "| full audit without key (read, re-hash, parse) | {:.1} s ({:.0} entries/s) |",
        audit_s,
        size as f64 / audit_s
    );
    println!(
        "| opening one escrow (1-of-1 key: partial with its proof, checked and combined) | {:.1} µs |",
        open_s * 1e6
    );
}
