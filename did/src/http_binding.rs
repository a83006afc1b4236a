//! The W3C DID Resolution HTTP(S) binding for `did:veil`: what a resolver
//! endpoint answers (`GET /1.0/identifiers/{did}`, the interface Universal
//! Resolver drivers implement), and the resolution result both the endpoint
//! and `veil did resolve` print.
//!
//! This module is the rules only (parse the request, pick the status code,
//! shape the body); `veil serve` puts it on a socket and [`crate::remote`]
//! is the client side.

use crate::error::ResolutionError;
use crate::resolution::{
    resolution_result, DidSource, HttpAnswer, DID_JSON, IDENTIFIERS_PATH, RESOLUTION_JSON,
};
use serde_json::Value;

/// What the client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Representation {
    /// The whole resolution result.
    Result,
    /// The DID document alone (`application/did+json`).
    Document,
}

fn representation(accept: Option<&str>) -> Option<Representation> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Some(Representation::Result);
    };
    let types: Vec<String> = accept
        .split(',')
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let any = |names: &[&str]| types.iter().any(|t| names.contains(&t.as_str()));
    if any(&[
        RESOLUTION_JSON,
        "application/ld+json",
        "application/json",
        "*/*",
        "application/*",
    ]) {
        Some(Representation::Result)
    } else if any(&[DID_JSON, "application/did"]) {
        Some(Representation::Document)
    } else {
        None
    }
}

fn status_of(e: &ResolutionError) -> u16 {
    match e {
        ResolutionError::InvalidDid(_) => 400,
        ResolutionError::NotFound(_) => 404,
        ResolutionError::MethodNotSupported(_) => 501,
        ResolutionError::Remote(_) | ResolutionError::Internal(_) => 500,
    }
}

/// Answers `GET {path_and_query}` with `accept` from `source`: the path is
/// [`IDENTIFIERS_PATH`] followed by the DID (percent-encoded or not), the
/// query may carry `versionId`. A DID of another method is
/// `methodNotSupported` (501); a path outside the binding is 404.
pub fn answer(source: &dyn DidSource, path_and_query: &str, accept: Option<&str>) -> HttpAnswer {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let Some(encoded) = path.strip_prefix(IDENTIFIERS_PATH) else {
        return HttpAnswer::error(
            404,
            "notFound",
            "not a DID resolution path (/1.0/identifiers/{did})",
        );
    };
    let Ok(did) = percent_encoding::percent_decode_str(encoded).decode_utf8() else {
        return HttpAnswer::error(400, "invalidDid", "the DID is not UTF-8");
    };
    let Some(representation) = representation(accept) else {
        return HttpAnswer::error(
            406,
            "representationNotSupported",
            "this endpoint answers application/did-resolution, application/ld+json or application/did+json",
        );
    };
    let mut version = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "versionId" => match value.parse::<u64>() {
                Ok(v) => version = Some(v),
                Err(_) => {
                    return HttpAnswer::error(
                        400,
                        "invalidOptions",
                        &format!("versionId {value:?} is not a version number"),
                    )
                }
            },
            _ => {
                return HttpAnswer::error(
                    400,
                    "invalidOptions",
                    &format!("unsupported resolution option {name:?} (versionId is)"),
                )
            }
        }
    }
    let outcome = source.resolve(&did, version);
    let deactivated = matches!(&outcome, Ok(r) if r.did_document_metadata.deactivated);
    let status = match &outcome {
        Ok(_) if deactivated => 410,
        Ok(_) => 200,
        Err(e) => status_of(e),
    };
    match (&outcome, representation) {
        (Ok(r), Representation::Document) => HttpAnswer::json(
            status,
            DID_JSON,
            &serde_json::to_value(&r.did_document).unwrap_or(Value::Null),
        ),
        _ => HttpAnswer::json(status, RESOLUTION_JSON, &resolution_result(&outcome)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::DidDocument;
    use crate::resolution::{DocumentMetadata, Resolution, RESOLUTION_LD_JSON};

    /// One DID with two versions, the second deactivated.
    struct Fixed;

    fn did() -> String {
        crate::registry::did_for_key("z6MkTest")
    }

    impl DidSource for Fixed {
        fn resolve(&self, did: &str, version: Option<u64>) -> Result<Resolution, ResolutionError> {
            crate::registry::parse_did(did)?;
            if did != self::did() {
                return Err(ResolutionError::NotFound(did.into()));
            }
            let v = version.unwrap_or(2);
            if !(1..=2).contains(&v) {
                return Err(ResolutionError::NotFound(format!("{did}?versionId={v}")));
            }
            Ok(Resolution {
                did_document: DidDocument {
                    context: vec![],
                    id: did.into(),
                    verification_method: vec![],
                    authentication: vec![],
                    assertion_method: vec![],
                    capability_invocation: vec![],
                    service: vec![],
                },
                did_document_metadata: DocumentMetadata {
                    created: "2026-12-03T00:00:00Z".into(),
                    updated: None,
                    version_id: v.to_string(),
                    next_version_id: None,
                    deactivated: v == 2,
                },
            })
        }
    }

    fn body(a: &HttpAnswer) -> Value {
        serde_json::from_slice(&a.body).unwrap()
    }

    #[test]
    fn status_codes_follow_the_binding() {
        let get = |path: &str| answer(&Fixed, path, None);
        let did = did();
        let ok = get(&format!("/1.0/identifiers/{did}?versionId=1"));
        assert_eq!((ok.status, ok.content_type), (200, RESOLUTION_JSON));
        assert_eq!(body(&ok)["didDocumentMetadata"]["versionId"], "1");
        assert_eq!(body(&ok)["didDocument"]["id"], did.as_str());

        let gone = get(&format!("/1.0/identifiers/{}", did.replace(':', "%3A")));
        assert_eq!(gone.status, 410);
        assert_eq!(body(&gone)["didDocumentMetadata"]["deactivated"], true);

        let other = crate::registry::did_for_key("z6MkOther");
        for (path, status, code) in [
            (format!("/1.0/identifiers/{other}"), 404, "notFound"),
            (
                format!("/1.0/identifiers/{did}?versionId=3"),
                404,
                "notFound",
            ),
            (
                format!("/1.0/identifiers/{did}?versionId=x"),
                400,
                "invalidOptions",
            ),
            (
                format!("/1.0/identifiers/{did}?versionTime=2026"),
                400,
                "invalidOptions",
            ),
            (
                "/1.0/identifiers/did:veil:z6MkShort".into(),
                400,
                "invalidDid",
            ),
            (
                "/1.0/identifiers/did:web:example.com".into(),
                501,
                "methodNotSupported",
            ),
            ("/1.0/identifiers/notadid".into(), 400, "invalidDid"),
            ("/1.0/identifiers/%FF".into(), 400, "invalidDid"),
            ("/other".into(), 404, "notFound"),
        ] {
            let path = path.as_str();
            let a = get(path);
            assert_eq!(a.status, status, "{path}");
            let b = body(&a);
            assert_eq!(b["didResolutionMetadata"]["error"], code, "{path}");
            assert!(b["didDocument"].is_null(), "{path}");
        }
    }

    #[test]
    fn accept_picks_the_representation() {
        let did = did();
        let path = &format!("/1.0/identifiers/{did}?versionId=1");
        let doc = answer(&Fixed, path, Some("application/did+json"));
        assert_eq!((doc.status, doc.content_type), (200, DID_JSON));
        assert_eq!(body(&doc)["id"], did.as_str());
        let ld = answer(&Fixed, path, Some(RESOLUTION_LD_JSON));
        assert_eq!(body(&ld)["didDocument"]["id"], did.as_str());
        let refused = answer(&Fixed, path, Some("text/html"));
        assert_eq!(refused.status, 406);
        assert_eq!(
            body(&refused)["didResolutionMetadata"]["error"],
            "representationNotSupported"
        );
    }
}
