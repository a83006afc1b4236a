//! Compiles `proto/veil/v1/veil.proto` with the vendored `protoc` (no system
//! install), and writes the descriptor set that gRPC reflection serves.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    std::env::set_var("PROTOC", protoc);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("veil_descriptor.bin"))
        .compile_protos(&["proto/veil/v1/veil.proto"], &["proto"])?;
    println!("cargo:rerun-if-changed=proto/veil/v1/veil.proto");
    Ok(())
}
