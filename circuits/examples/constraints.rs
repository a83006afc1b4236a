//! Writes the gadget constraint-count table to `circuits/CONSTRAINTS.md`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows = veil_circuits::costs::measure()?;
    let table = veil_circuits::costs::render_markdown(&rows);
    let path = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("CONSTRAINTS.md");
    std::fs::write(path, &table)?;
    print!("{table}");
    Ok(())
}
