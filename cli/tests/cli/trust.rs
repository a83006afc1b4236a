//! The second trust review's findings, from outside: through the `veil`
//! binary, with another implementation (Digital Bazaar's libraries, didkit)
//! as the oracle, so what veil refuses is checked against what they refuse.

use crate::common::interop::{self, bazaar_verify, didkit_errors, node, write_json};
use crate::common::{fails, ok, words};
use serde_json::Value;
use std::path::Path;

fn read_json(d: &Path, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(d.join(name)).expect("read")).expect("JSON")
}

/// A did:veil issuer in `d/db` with a VC 2.0 and a VC 1.1 `KycCredential`
/// (`vc-v2.json`, `vc-v1.json`); returns its DID.
fn veil_issuer_with_credentials(d: &Path) -> String {
    for key in ["controller.jwk", "vc.jwk"] {
        ok(&["did", "keygen", "--out", key], d);
    }
    ok(&["issuer", "keygen", "--out", "issuer.json"], d);
    let did = ok(
        &words("did create --db db --key controller.jwk --vc-key vc.jwk --bjj issuer.json"),
        d,
    )
    .trim()
    .to_owned();
    crate::cli::holder_and_credential(d, &[]);
    for format in ["v2", "v1"] {
        let out = format!("vc-{format}.json");
        ok(
            &[
                "vc",
                "issue",
                "--db",
                "db",
                "--credential",
                "credential.json",
                "--issuer-key",
                "issuer.json",
                "--did",
                &did,
                "--vc-key",
                "vc.jwk",
                "--format",
                format,
                "--out",
                &out,
            ],
            d,
        );
    }
    did
}

/// Review 2, finding 1: a W3C proof made by a key that is not the issuer's
/// is refused, for every credential kind. The forger re-signs veil's own
/// KycCredential (VC 2.0 with Digital Bazaar, VC 1.1 with didkit), makes up
/// a MembershipCredential "from" the veil issuer, and clears a revoked bit in
/// a status list it signs itself: `veil vc verify` refuses each, and so do
/// the reference libraries.
#[test]
fn r2_finding_1_credentials_and_status_lists_signed_by_a_key_not_the_issuers_are_refused() {
    if !interop::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let did = veil_issuer_with_credentials(d);
    node(d, "bazaar.mjs", &["keygen", "did:key", "forger.json"]).expect("keygen");
    let verify = |vc: &str| fails(&["vc", "verify", "--db", "db", vc], d);

    // veil's KycCredential, its proof replaced by the forger's (VC 2.0).
    let mut stripped = read_json(d, "vc-v2.json");
    let fields = stripped.as_object_mut().expect("an object");
    fields.remove("proof");
    fields.remove("credentialStatus");
    write_json(d, "unsigned-kyc.json", &stripped);
    let forged = node(
        d,
        "bazaar.mjs",
        &["forge", "forger.json", "unsigned-kyc.json"],
    )
    .expect("Digital Bazaar signs");
    std::fs::write(d.join("forged-kyc.json"), forged).expect("write");
    let err = verify("forged-kyc.json");
    assert!(err.contains("not by a key of the issuer"), "{err}");
    let bazaar = bazaar_verify(d, "forged-kyc.json").expect_err("Digital Bazaar refuses it");
    assert!(bazaar.contains("issuer must match"), "{bazaar}");

    // A credential made up from nothing, "issued" by the veil issuer.
    write_json(
        d,
        "membership.json",
        &serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://example.com/vocab#"}],
            "type": ["VerifiableCredential", "MembershipCredential"],
            "issuer": did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:alice", "memberOf": "Example Club"},
        }),
    );
    let forged = node(
        d,
        "bazaar.mjs",
        &["forge", "forger.json", "membership.json"],
    )
    .expect("signs");
    std::fs::write(d.join("forged-membership.json"), forged).expect("write");
    let err = verify("forged-membership.json");
    assert!(err.contains("not by a key of the issuer"), "{err}");
    assert!(bazaar_verify(d, "forged-membership.json").is_err());

    // VC 1.1, signed by didkit with its own did:key.
    let mut stripped = read_json(d, "vc-v1.json");
    let fields = stripped.as_object_mut().expect("an object");
    fields.remove("proof");
    fields.remove("credentialStatus");
    write_json(d, "unsigned-v1.json", &stripped);
    ok(&["did", "keygen", "--out", "didkit.jwk"], d);
    let didkit_key: Value =
        serde_json::from_str(&node(d, "didkit.js", &["did", "didkit.jwk"]).expect("did"))
            .expect("JSON");
    let vm = didkit_key["verificationMethod"].as_str().expect("a method");
    match node(
        d,
        "didkit.js",
        &["sign", "unsigned-v1.json", "didkit.jwk", vm],
    ) {
        Ok(signed) => {
            std::fs::write(d.join("forged-v1.json"), signed).expect("write");
            let err = verify("forged-v1.json");
            assert!(err.contains("not by a key of the issuer"), "{err}");
            assert!(
                !didkit_errors(d, "forged-v1.json").is_empty(),
                "didkit accepts it"
            );
        }
        // didkit refuses to make it at all: also a refusal.
        Err(e) => assert!(!e.is_empty()),
    }

    // A status list clearing a revoked bit, signed by the forger.
    let signer = ["--db", "db", "--did", &did, "--vc-key", "vc.jwk"];
    ok(
        &[
            &["vc", "status-list"][..],
            &signer,
            &["--out", "clear.json"],
        ]
        .concat(),
        d,
    );
    let id = read_json(d, "credential.json")["claims"]["credential_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    ok(&["vc", "revoke", "--db", "db", "--credential-id", &id], d);
    ok(
        &[&["vc", "status-list"][..], &signer, &["--out", "list.json"]].concat(),
        d,
    );
    let with_list = |list: &str| {
        fails(
            &words(&format!(
                "vc verify --db db vc-v2.json --status-list {list}"
            )),
            d,
        )
    };
    assert!(with_list("list.json").contains("revoked"));
    let mut cleared = read_json(d, "list.json");
    cleared["credentialSubject"]["encodedList"] =
        read_json(d, "clear.json")["credentialSubject"]["encodedList"].clone();
    cleared.as_object_mut().expect("an object").remove("proof");
    write_json(d, "unsigned-list.json", &cleared);
    let forged = node(
        d,
        "bazaar.mjs",
        &["forge", "forger.json", "unsigned-list.json"],
    )
    .expect("signs");
    std::fs::write(d.join("forged-list.json"), forged).expect("write");
    let err = with_list("forged-list.json");
    assert!(err.contains("not by a key of the issuer"), "{err}");
    assert!(bazaar_verify(d, "forged-list.json").is_err());
}
