//! Issuer keys: FROST over Baby Jubjub (DKG, the two signing rounds,
//! aggregation with every share checked) next to a single key's
//! EdDSA-Poseidon signature, and opening an argon2id-encrypted key file.
//! Figures in RESULTS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::F;
use veil_did::ControllerKey;
use veil_issuer::frost::dkg::ShareMessage;
use veil_issuer::frost::*;
use veil_issuer::signer::file::{EncryptedKeyFile, KdfCost};

fn dkg(t: u32, n: u32, rng: &mut ChaCha20Rng) -> Vec<KeyShare> {
    let p = DkgParameters {
        threshold: t,
        members: n,
        context: "bench".into(),
    };
    let (secrets, packages): (Vec<_>, Vec<_>) =
        (1..=n).map(|i| dkg_round1(&p, i, rng).unwrap()).unzip();
    let messages: Vec<ShareMessage> = secrets
        .iter()
        .flat_map(|s| dkg_round2(s, &packages).unwrap())
        .collect();
    secrets
        .iter()
        .map(|s| {
            let inbox: Vec<_> = messages
                .iter()
                .filter(|m| m.to == s.index)
                .cloned()
                .collect();
            dkg_finish(s, &packages, &inbox).unwrap()
        })
        .collect()
}

fn sign(shares: &[KeyShare], signers: &[usize], m: F, rng: &mut ChaCha20Rng) {
    let (nonces, commitments): (Vec<_>, Vec<_>) = signers
        .iter()
        .map(|i| sign_round1(&shares[*i], rng).unwrap())
        .unzip();
    let package = SigningPackage::new(&shares[0].group, m, commitments).unwrap();
    let answers: Vec<_> = signers
        .iter()
        .zip(nonces)
        .map(|(i, n)| sign_round2(&shares[*i], n, &package).unwrap())
        .collect();
    black_box(aggregate(&shares[0].group, &package, &answers).unwrap());
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut g = c.benchmark_group("issuer_keys");
    g.sample_size(20);
    g.bench_function("dkg 2-of-3 (all participants)", |b| {
        b.iter(|| dkg(2, 3, &mut rng))
    });
    g.bench_function("dkg 3-of-5 (all participants)", |b| {
        b.iter(|| dkg(3, 5, &mut rng))
    });
    let shares23 = dkg(2, 3, &mut rng);
    let shares35 = dkg(3, 5, &mut rng);
    g.bench_function("frost sign 2-of-3 (both rounds + aggregate)", |b| {
        b.iter(|| sign(&shares23, &[0, 2], F::from(7u64), &mut rng))
    });
    g.bench_function("frost sign 3-of-5 (both rounds + aggregate)", |b| {
        b.iter(|| sign(&shares35, &[0, 2, 4], F::from(7u64), &mut rng))
    });
    let key = PrivateKey::generate(&mut rng);
    g.bench_function("single-key EdDSA-Poseidon sign", |b| {
        b.iter(|| black_box(key.sign(F::from(7u64))))
    });
    let file = EncryptedKeyFile::seal(
        &ControllerKey::generate().unwrap(),
        b"pass",
        KdfCost::default(),
    )
    .unwrap();
    g.bench_function("open encrypted key file (argon2id 19 MiB, t=2)", |b| {
        b.iter(|| black_box(file.open(b"pass").unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
