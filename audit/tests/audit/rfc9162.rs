//! The tree module against an independent, literal transcription of RFC
//! 9162's recursive definitions (§2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF),
//! written here with BLAKE3 directly. (CT's published vectors use SHA-256,
//! so they cannot apply; the RFC's algorithms can.)

use crate::common::{log_with, operator, regulator};
use veil_audit::tree::{self, Frontier, ProofError};

fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    for p in parts {
        hasher.update(p);
    }
    *hasher.finalize().as_bytes()
}

fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Vec<u8>]) -> [u8; 32] {
    match d.len() {
        0 => h(&[]),
        1 => h(&[&[0], &d[0]]),
        n => {
            let k = k_of(n);
            h(&[&[1], &mth(&d[..k]), &mth(&d[k..])])
        }
    }
}

fn path(m: usize, d: &[Vec<u8>]) -> Vec<[u8; 32]> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<[u8; 32]> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn data(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
}

#[test]
fn roots_match_mth_for_every_size() {
    for n in 0..70 {
        let d = data(n);
        assert_eq!(
            tree::root_of(d.iter().map(Vec::as_slice)),
            mth(&d),
            "n = {n}"
        );
    }
}

#[test]
fn log_proofs_equal_the_rfc_definitions_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key) = regulator(1);
    let log = log_with(dir.path(), &operator(), &key, 0);
    let mut d: Vec<Vec<u8>> = Vec::new();
    for n in 1..=40usize {
        let entry = crate::common::verification(n as u64, &key, n % 3 != 0);
        log.append(std::slice::from_ref(&entry)).unwrap();
        d.push(entry.to_bytes());
        let root = mth(&d);
        assert_eq!(log.root_at(n as u64).unwrap(), root);
        for m in 0..n {
            let proof = log.inclusion_proof(m as u64, n as u64).unwrap();
            assert_eq!(proof, path(m, &d), "PATH({m}, {n})");
            tree::verify_inclusion(&tree::leaf_hash(&d[m]), m as u64, n as u64, &proof, &root)
                .unwrap();
        }
        for m in 0..=n {
            let proof = log.consistency_proof(m as u64, n as u64).unwrap();
            let expected = if m == 0 {
                vec![]
            } else {
                subproof(m, &d, true)
            };
            assert_eq!(proof, expected, "PROOF({m}, {n})");
            tree::verify_consistency(m as u64, n as u64, &mth(&d[..m]), &root, &proof).unwrap();
        }
    }
}

#[test]
fn altered_proofs_fail_with_typed_errors() {
    let d = data(21);
    let root = mth(&d);
    let leaf = tree::leaf_hash(&d[5]);
    let proof = path(5, &d);
    // Each hash flipped, the wrong index, the wrong size, a wrong length.
    for i in 0..proof.len() {
        let mut bad = proof.clone();
        bad[i][0] ^= 1;
        assert_eq!(
            tree::verify_inclusion(&leaf, 5, 21, &bad, &root),
            Err(ProofError::RootMismatch)
        );
    }
    assert!(tree::verify_inclusion(&leaf, 6, 21, &proof, &root).is_err());
    // (Size 22 has the same shape for leaf 5, so the RFC's check alone cannot
    // tell it from 21; the signed head binds the size. A different shape can.)
    assert!(tree::verify_inclusion(&leaf, 5, 40, &proof, &root).is_err());
    let mut long = proof.clone();
    long.push([0; 32]);
    assert!(matches!(
        tree::verify_inclusion(&leaf, 5, 21, &long, &root),
        Err(ProofError::WrongLength { .. })
    ));
    assert!(matches!(
        tree::verify_inclusion(&leaf, 21, 21, &proof, &root),
        Err(ProofError::IndexOutOfRange { .. })
    ));

    let c = subproof(13, &d, true);
    let old = mth(&d[..13]);
    tree::verify_consistency(13, 21, &old, &root, &c).unwrap();
    for i in 0..c.len() {
        let mut bad = c.clone();
        bad[i][31] ^= 0x80;
        assert_eq!(
            tree::verify_consistency(13, 21, &old, &root, &bad),
            Err(ProofError::RootMismatch)
        );
    }
    assert!(tree::verify_consistency(13, 21, &mth(&d[..12]), &root, &c).is_err());
    assert!(matches!(
        tree::verify_consistency(13, 21, &old, &root, &c[1..]),
        Err(ProofError::WrongLength { .. })
    ));
    assert!(matches!(
        tree::verify_consistency(21, 13, &root, &old, &c),
        Err(ProofError::SizesOutOfOrder { .. })
    ));
    // Equal sizes need equal roots.
    assert!(tree::verify_consistency(21, 21, &root, &root, &[]).is_ok());
    assert!(tree::verify_consistency(21, 21, &old, &root, &[]).is_err());
}

#[test]
fn frontier_load_matches_pushes() {
    let d = data(77);
    let mut f = Frontier::new();
    for (i, e) in d.iter().enumerate() {
        f.push(tree::leaf_hash(e));
        assert_eq!(f.root(), mth(&d[..=i]));
    }
}
