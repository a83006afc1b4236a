//! Generates the server side of `client/proto/veil/v1/veil.proto` with the
//! vendored `protoc` (no system install): the service traits only, over the
//! messages `veil-client` generates (`extern_path`), so a message is one Rust
//! type on both sides. Also writes the descriptor set gRPC reflection serves.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    std::env::set_var("PROTOC", protoc);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .build_client(false)
        .extern_path(".veil.v1", "::veil_client::pb")
        .file_descriptor_set_path(out.join("veil_descriptor.bin"))
        .compile_protos(&["client/proto/veil/v1/veil.proto"], &["client/proto"])?;
    println!("cargo:rerun-if-changed=client/proto/veil/v1/veil.proto");
    Ok(())
}
