//! The payment hash, the registry and the JSON documents.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use veil_circuits::statement::files::*;
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::{Payment, Registry, WitnessError};
use veil_circuits::F;

#[test]
fn payment_hash_matches_keccak_abi_encode_mod_r() {
    // Reference: @noble/hashes keccak_256 over the same 7 words, reduced mod r
    // with BigInt in node.
    let mut gate = [0u8; 20];
    gate[19] = 0xaa;
    let p = Payment::new(1, gate, [0x11; 20], [0x22; 20], [0x33; 20], 1_000_000, 7);
    assert_eq!(p.abi_encode().len(), 7 * 32);
    assert_eq!(
        p.hash(),
        veil_circuits::encoding::field_from_decimal(
            "312903096993844420519657919022895967915044419736060507947406313176149302667"
        )
        .unwrap()
    );
    let mut other = p;
    other.amount[31] ^= 1;
    assert_ne!(other.hash(), p.hash());
}

#[test]
fn registry_builds_the_sample_witness_and_refuses_after_revocation() {
    let mut rng = StdRng::seed_from_u64(1);
    let s = Sample::new(&mut rng);
    let other = veil_circuits::eddsa::PrivateKey::generate(&mut rng).public_key();
    let issuers = [other, s.issuer_key.public_key()];
    let mut registry = Registry::new(&issuers, &[F::from(5u64)]).unwrap();
    let w = registry
        .witness(
            s.credential(),
            s.holder_secret,
            s.policy.clone(),
            s.context,
            s.escrow_randomness,
        )
        .unwrap();
    assert_eq!(w.public.issuers_root, registry.issuers_root());
    assert_eq!(w.public.revocation_root, registry.revocation_root());

    registry.revoke(s.claims.credential_id).unwrap();
    assert!(registry.is_revoked(s.claims.credential_id));
    let again = registry.witness(
        s.credential(),
        s.holder_secret,
        s.policy.clone(),
        s.context,
        s.escrow_randomness,
    );
    assert_eq!(again.unwrap_err(), WitnessError::Revoked);
    assert!(
        registry.revoke(s.claims.credential_id).is_err(),
        "revoked twice"
    );

    let untrusted = Registry::new(&[other], &[]).unwrap();
    let refused = untrusted.witness(
        s.credential(),
        s.holder_secret,
        s.policy.clone(),
        s.context,
        s.escrow_randomness,
    );
    assert_eq!(refused.unwrap_err(), WitnessError::IssuerNotTrusted);
}

#[test]
fn documents_round_trip() {
    let mut rng = StdRng::seed_from_u64(2);
    let s = Sample::new(&mut rng);
    let c = CredentialJson::from_credential(&s.credential());
    let text = serde_json::to_string(&c).unwrap();
    let back: CredentialJson = serde_json::from_str(&text).unwrap();
    assert_eq!(back.to_credential().unwrap(), s.credential());

    let p = PolicyJson::from_policy(&s.policy);
    assert_eq!(p.to_policy().unwrap(), s.policy);
    let ctx = PaymentContextJson::from_context(&s.context);
    assert_eq!(ctx.to_context().unwrap(), s.context);
    let issuer = IssuerKeyJson::from_key(&s.issuer_key);
    assert_eq!(issuer.to_key().unwrap().to_bytes(), s.issuer_key.to_bytes());
    let reg = RegulatorKeyJson::from_secret(&s.regulator_secret);
    assert_eq!(reg.to_secret().unwrap(), s.regulator_secret);
    let holder = HolderJson::from_secret(s.holder_secret);
    assert_eq!(holder.to_secret().unwrap(), s.holder_secret);
}

#[test]
fn bad_documents_name_the_field() {
    let mut rng = StdRng::seed_from_u64(3);
    let s = Sample::new(&mut rng);
    let good = CredentialJson::from_credential(&s.credential());

    let mut c = good.clone();
    c.claims.credential_id = "-1".into();
    assert!(c
        .to_credential()
        .unwrap_err()
        .to_string()
        .starts_with("claims.credential_id"));

    let mut c = good.clone();
    c.issuer.y = "1".into();
    assert!(c
        .to_credential()
        .unwrap_err()
        .to_string()
        .starts_with("issuer"));

    let mut c = good.clone();
    c.signature.s =
        "2736030358979909402780800718157159386076813972158567259200215660948447373041".into();
    assert!(c
        .to_credential()
        .unwrap_err()
        .to_string()
        .starts_with("signature"));

    // A claim wider than its bit width is a JSON error, not a silent wrap.
    let mut v = serde_json::to_value(&good).unwrap();
    v["claims"]["country"] = serde_json::json!(70000);
    assert!(serde_json::from_value::<CredentialJson>(v).is_err());

    let mut issuer = IssuerKeyJson::from_key(&s.issuer_key);
    issuer.public_key = PointJson::from_key(&s.policy.regulator_key);
    assert!(matches!(
        issuer.to_key(),
        Err(DocumentError::Mismatch {
            field: "public_key",
            ..
        })
    ));

    let mut holder = HolderJson::from_secret(s.holder_secret);
    holder.commitment = "5".into();
    assert!(matches!(
        holder.to_secret(),
        Err(DocumentError::Mismatch {
            field: "commitment",
            ..
        })
    ));

    let list = RevocationListJson {
        revoked: vec!["1".into(), "x".into()],
    };
    assert!(list.to_ids().is_err());
}
