//! `veil-regulator`: the regulator's commands on their own, for a machine
//! that audits over gRPC and runs nothing else of veil's.

use clap::Parser;

/// veil's regulator tool: escrow keys, audits, disclosures.
#[derive(Parser)]
#[command(name = "veil-regulator", version)]
struct Cli {
    #[command(subcommand)]
    command: veil_regulator::RegulatorCommand,
}

fn main() -> std::process::ExitCode {
    match veil_regulator::run(Cli::parse().command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
