//! The compliance statement on Groth16: constraint count, setup, witness
//! generation, proving, key loading, verification, and batch verification of
//! 64 proofs. Run with `cargo bench -p veil-benches`; record the figures,
//! with the machine, in `benches/RESULTS.md`.

use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::time::Duration;
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::ComplianceCircuit;
use veil_circuits::F;
use veil_prover::keys::{encode, encode_with, save_proving_key, Encoding, KeyKind, KeyPin};
use veil_prover::{setup, Curve, Prover};
use veil_verifier::{verify_batch, PreparedKey};

fn constraint_count() {
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    ComplianceCircuit::blank()
        .generate_constraints(cs.clone())
        .expect("synthesis");
    println!(
        "compliance statement: {} constraints, {} public inputs, {} witness variables",
        cs.num_constraints(),
        cs.num_instance_variables() - 1,
        cs.num_witness_variables()
    );
}

fn groth16(c: &mut Criterion) {
    constraint_count();
    let mut rng = StdRng::seed_from_u64(1);
    let keys = setup(&mut rng, |_| {}).expect("setup");
    let prover = Prover::new(keys.proving_key.clone()).expect("prover");
    let key = PreparedKey::new(keys.verifying_key()).expect("key");
    let sample = Sample::new(&mut rng);

    let mut slow = c.benchmark_group("compliance/slow");
    slow.sample_size(10)
        .measurement_time(Duration::from_secs(20));
    slow.bench_function("setup", |b| {
        b.iter(|| setup(&mut rng, |_| {}).expect("setup"))
    });
    // Key loading, each file format, the whole of what a wallet runs (read,
    // decode, check, the circuit's matrices): compressed (v1's files),
    // uncompressed without the matrices (v2's: the load synthesizes the
    // circuit), and what `veil setup` writes now (uncompressed, with the
    // matrices), checked and pinned.
    let dir = tempfile::tempdir().expect("tempdir");
    let pk_path = dir.path().join("compliance.pk");
    save_proving_key(&pk_path, &keys.proving_key, &keys.matrices, &keys.shape).expect("save");
    let pin = KeyPin::of(&std::fs::read(&pk_path).expect("read"));
    let compressed_path = dir.path().join("compressed.pk");
    let compressed = encode(&keys.proving_key, KeyKind::Proving, &keys.shape).expect("encode");
    std::fs::write(&compressed_path, compressed).expect("write");
    let v2_path = dir.path().join("v2.pk");
    let v2 = encode_with(
        &keys.proving_key,
        KeyKind::Proving,
        &keys.shape,
        Encoding::Uncompressed,
    )
    .expect("encode");
    std::fs::write(&v2_path, v2).expect("write");
    slow.bench_function("load proving key (compressed, checked)", |b| {
        b.iter(|| Prover::load(&compressed_path).expect("load"))
    });
    slow.bench_function("load proving key (uncompressed, checked)", |b| {
        b.iter(|| Prover::load(&v2_path).expect("load"))
    });
    slow.bench_function("load proving key (with matrices, checked)", |b| {
        b.iter(|| Prover::load(&pk_path).expect("load"))
    });
    slow.bench_function("load proving key (with matrices, pinned)", |b| {
        b.iter(|| Prover::load_pinned(&pk_path, &pin).expect("load"))
    });
    slow.bench_function("circuit matrices (part of every load)", |b| {
        b.iter(|| veil_prover::shape::Matrices::of(ComplianceCircuit::blank()).expect("matrices"))
    });
    slow.finish();

    let mut g = c.benchmark_group("compliance");
    g.sample_size(20);
    g.bench_function("witness (native checks + assignment)", |b| {
        b.iter(|| {
            let w = sample.witness().expect("witness");
            prover.assignment(w).expect("assignment")
        })
    });
    g.bench_function("prove (witness + Groth16 + self-check)", |b| {
        b.iter(|| {
            prover
                .prove(sample.witness().expect("witness"), &mut rng)
                .expect("prove")
        })
    });
    g.bench_function("prove (Groth16 only)", |b| {
        b.iter_batched(
            || sample.witness().expect("witness"),
            |w| prover.prove_unchecked(w, &mut rng).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    let (proof, public) = prover
        .prove(sample.witness().expect("witness"), &mut rng)
        .expect("prove");
    g.sample_size(100);
    g.bench_function("verify", |b| {
        b.iter(|| key.verify_statement(&proof, &public).expect("valid"))
    });
    g.finish();

    // 64 distinct proofs of 4 samples: one proof per sample, each
    // rerandomized (Groth16's re-randomization gives a fresh proof of the
    // same statement, distributed as a new one, for three scalar
    // multiplications instead of a whole proof: the batch's set-up no
    // longer proves 64 times, which also ran in `cargo test`).
    let proved: Vec<_> = (0..4)
        .map(|_| {
            let sample = Sample::new(&mut rng);
            prover
                .prove(sample.witness().expect("witness"), &mut rng)
                .expect("prove")
        })
        .collect();
    let items: Vec<_> = (0..64)
        .map(|i| {
            let (p, x) = &proved[i % 4];
            let p = Groth16::<Curve>::rerandomize_proof(keys.verifying_key(), p, &mut rng);
            (p, x.to_vec())
        })
        .collect();
    let distinct: std::collections::HashSet<_> = items.iter().map(|(p, _)| p.a).collect();
    assert_eq!(distinct.len(), 64, "the batch holds 64 distinct proofs");
    let mut batch = c.benchmark_group("compliance/batch");
    batch.sample_size(20).throughput(Throughput::Elements(64));
    batch.bench_function("verify 64 one by one", |b| {
        b.iter(|| {
            for (p, x) in &items {
                key.verify(p, x).expect("valid");
            }
        })
    });
    batch.bench_function("verify 64 batched", |b| {
        b.iter(|| verify_batch(&key, &items, &mut rng).expect("valid"))
    });
    batch.finish();
}

/// Where a Groth16 proof's time goes: the witness map (the QAP's FFTs over
/// the domain) and each of the five multi-scalar multiplications, each run
/// alone as veil's prover runs it (`Prover::witness_map`,
/// `Prover::run_msm`: this build's MSM, on every core), with ark-groth16's
/// whole prover and its witness map beside them on the same assignment. The
/// witness's synthesis is the `compliance` group's row.
fn prove_breakdown(c: &mut Criterion) {
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use ark_poly::GeneralEvaluationDomain;
    use veil_prover::Msm;

    let mut rng = StdRng::seed_from_u64(1);
    let keys = setup(&mut rng, |_| {}).expect("setup");
    let prover = Prover::for_keys(keys.clone());
    let sample = Sample::new(&mut rng);
    let assignment = prover
        .assignment(sample.witness().expect("witness"))
        .expect("assignment");
    let shape = &keys.shape;
    let pk = &keys.proving_key;
    let h = prover.witness_map(&assignment).expect("witness map");
    let zero = F::from(0u64);
    let one = F::from(1u64);
    println!(
        "scalars: {} in A/B, {} in L, {} in H; of A/B's, {} zero and {} one",
        assignment.len() - 1,
        assignment.len() - shape.num_instance_variables,
        h.len(),
        assignment[1..].iter().filter(|x| **x == zero).count(),
        assignment[1..].iter().filter(|x| **x == one).count(),
    );

    let mut g = c.benchmark_group("compliance/prove breakdown");
    g.sample_size(20);
    // veil's composition of the proof (veil-prover's groth16.rs) beside
    // ark-groth16's own, on the same assignment.
    g.bench_function("veil's Groth16 (from the assignment)", |b| {
        b.iter_batched(
            || sample.witness().expect("witness"),
            |w| prover.prove_unchecked(w, &mut rng).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("ark-groth16's create_proof (from the assignment)", |b| {
        b.iter(|| {
            ark_groth16::Groth16::<veil_prover::Curve>::create_proof_with_reduction_and_matrices(
                pk,
                F::from(3u64),
                F::from(5u64),
                &keys.matrices,
                shape.num_instance_variables,
                shape.num_constraints,
                &assignment,
            )
            .expect("prove")
        })
    });
    g.bench_function("witness map (FFTs)", |b| {
        b.iter(|| prover.witness_map(&assignment).expect("witness map"))
    });
    g.bench_function("ark-groth16's witness map", |b| {
        b.iter(|| {
            LibsnarkReduction::witness_map_from_matrices::<F, GeneralEvaluationDomain<F>>(
                &keys.matrices,
                shape.num_instance_variables,
                shape.num_constraints,
                &assignment,
            )
            .expect("witness map")
        })
    });
    for (name, which) in [
        ("MSM A (G1)", Msm::A),
        ("MSM B (G1)", Msm::BG1),
        ("MSM B (G2)", Msm::BG2),
        ("MSM H (G1)", Msm::H),
        ("MSM L (G1)", Msm::L),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| prover.run_msm(which, &assignment, &h).expect("msm"))
        });
    }
    g.finish();
}

criterion_group!(benches, groth16, prove_breakdown);
criterion_main!(benches);
