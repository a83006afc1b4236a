//! Writes the gadget constraint-count table to `circuits/CONSTRAINTS.md`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows = veil_circuits::costs::measure()?;
    let table = veil_circuits::costs::render_markdown(&rows);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/CONSTRAINTS.md");
    std::fs::write(path, &table)?;
    print!("{table}");
    Ok(())
}
