//! `circuits/CONSTRAINTS.md` must match what the gadgets cost today.
#[test]
fn constraints_md_is_current() {
    let rows = veil_circuits::costs::measure().unwrap();
    let expected = veil_circuits::costs::render_markdown(&rows);
    let committed = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        )
        .join("CONSTRAINTS.md"),
    )
    .unwrap_or_default();
    assert_eq!(
        committed, expected,
        "run `cargo run -p veil-circuits --example constraints`"
    );
    // The jobs circom also does must not cost more than circom's.
    for r in &rows {
        if let (Some(c), true) = (
            r.circom,
            r.gadget.starts_with("Poseidon") || r.gadget.starts_with("Merkle"),
        ) {
            assert!(
                r.constraints <= c,
                "{} costs {} > circom's {}",
                r.gadget,
                r.constraints,
                c
            );
        }
    }
}
