//! Compiles `proto/veil/v1/veil.proto` with the vendored `protoc` (no system
//! install): the messages and the clients. The server crate (`veil-service`)
//! generates its service traits from the same file over these messages.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    std::env::set_var("PROTOC", protoc);
    tonic_prost_build::configure()
        .build_server(false)
        .compile_protos(&["proto/veil/v1/veil.proto"], &["proto"])?;
    println!("cargo:rerun-if-changed=proto/veil/v1/veil.proto");
    Ok(())
}
