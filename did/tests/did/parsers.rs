//! The fuzz targets' functions (`fuzz/`) on a fixed corpus of malformed
//! inputs, on stable: each returns a typed error, none panics.

use veil_did::claims::{parse_date, parse_midnight};
use veil_did::registry::{parse_did, parse_operation};
use veil_did::vc::parse_kyc;

const GARBAGE: &[&str] = &[
    "",
    "{",
    "null",
    "[]",
    "\"did:veil:z\"",
    "{\"did\": 5}",
    "{\"did\": \"did:veil:zzz\", \"version\": 1, \"action\": {\"action\": \"deactivate\"}, \"signature\": \"\"}",
    "{\"did\": \"did:veil:z6Mkq1zs7Ut5sYqWMGpgh2Rp3\", \"version\": -1, \"action\": {}, \"signature\": 1}",
    "{\"did\": \"did:veil:z6Mkq1zs7Ut5sYqWMGpgh2Rp3\", \"version\": 18446744073709551616, \"action\": {\"action\": \"update\", \"patches\": [{\"op\": \"rotateController\"}]}, \"signature\": \"x\"}",
    "did:veil:\u{0}",
    "did:veil:z\u{1F600}",
    "did:::",
];

#[test]
fn operations_and_dids() {
    for g in GARBAGE {
        assert!(parse_operation(g.as_bytes()).is_err(), "{g}");
        let _ = parse_did(g);
    }
    assert!(parse_operation(&[0xff, 0xfe, 0x00]).is_err());
    for bad in [
        "did:veil:",
        "did:veil:0abc",
        "did:veil:z1",
        "did:key",
        "did:x:",
        "DID:veil:zabc",
    ] {
        assert!(parse_did(bad).is_err(), "{bad}");
    }
}

#[test]
fn credentials_and_dates() {
    for g in GARBAGE {
        assert!(parse_kyc(g).is_err(), "{g}");
    }
    let base = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "issuer": "did:veil:z6Mkq1zs7Ut5sYqWMGpgh2Rp3",
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {
            "schema": "veil.kyc.v1", "holderCommitment": "1", "credentialId": "2",
            "birthDate": "1990-05-17", "country": "DE", "kycLevel": "enhanced",
            "riskScore": 10, "subjectType": "person",
            "issuedAt": "2026-01-01", "expiresAt": "2027-01-01", "personKey": "4"
        },
        "zkSignature": {
            "type": "EdDsaPoseidonBabyJubJub",
            "verificationMethod": "did:veil:z6Mkq1zs7Ut5sYqWMGpgh2Rp3#bjj-1",
            "r8": {"x": "1", "y": "2"}, "s": "3"
        }
    });
    // Each field broken in turn is named in the error.
    let cases: Vec<(&str, &str, serde_json::Value)> = vec![
        ("validFrom", "/validFrom", "2026-01-01T10:00:00Z".into()),
        ("validUntil", "/validUntil", "tomorrow".into()),
        (
            "birthDate",
            "/credentialSubject/birthDate",
            "1969-12-31".into(),
        ),
        ("country", "/credentialSubject/country", "XX".into()),
        ("kycLevel", "/credentialSubject/kycLevel", "platinum".into()),
        ("riskScore", "/credentialSubject/riskScore", 1001.into()),
        (
            "credentialSubject",
            "/credentialSubject/riskScore",
            70000.into(),
        ),
        (
            "subjectType",
            "/credentialSubject/subjectType",
            "robot".into(),
        ),
        (
            "holderCommitment",
            "/credentialSubject/holderCommitment",
            "-1".into(),
        ),
        (
            "credentialId",
            "/credentialSubject/credentialId",
            "21888242871839275222246405745257275088548364400416034343698204186575808495617".into(),
        ),
        ("personKey", "/credentialSubject/personKey", "12x".into()),
        ("zkSignature", "/zkSignature/s", "x".into()),
        ("zkSignature.type", "/zkSignature/type", "Ed25519".into()),
        (
            "zkSignature.verificationMethod",
            "/zkSignature/verificationMethod",
            "did:veil:zOther#bjj-1".into(),
        ),
    ];
    for (field, pointer, value) in cases {
        let mut v = base.clone();
        *v.pointer_mut(pointer).unwrap() = value.clone();
        let e = parse_kyc(&v.to_string()).expect_err(pointer).to_string();
        assert!(
            e.contains(field),
            "{pointer} = {value}: error {e:?} does not name {field}"
        );
    }
    for bad in [
        "",
        "2026-13-01",
        "2026-02-30",
        "1969-12-31",
        "+2026-01-01",
        "2026-1-1",
    ] {
        assert!(parse_date("d", bad).is_err(), "{bad}");
    }
    assert!(parse_midnight("d", "2026-01-01T00:00:01Z").is_err());
    assert_eq!(parse_midnight("d", "1970-01-02T00:00:00Z").unwrap(), 1);
}
