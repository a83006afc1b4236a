//! Crash injection: a writer process appending to the log is SIGKILLed at
//! random points, 200 times; after each kill the log must reopen with its
//! signed head, pass a full re-hash, and still hold every entry the writer
//! acknowledged, at the same position (the root of every acknowledged size is
//! unchanged). The writer is this test binary itself, re-run with an
//! environment variable that turns [`crash_writer_child_process`] into the
//! writer.

use crate::common::{regulator, verification};
use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use veil_audit::TransparencyLog;
use veil_did::ControllerKey;

const KILLS: usize = 200;
const DIR_VAR: &str = "VEIL_CRASH_LOG_DIR";

fn operator_at(dir: &Path) -> ControllerKey {
    ControllerKey::from_json(&std::fs::read_to_string(dir.join("operator.jwk")).expect("key"))
        .expect("key parses")
}

/// The writer (only when run by the test below, with `VEIL_CRASH_LOG_DIR`
/// set; otherwise it returns at once): appends small groups forever and
/// prints `acked <size> <root>` after each synced append returns.
#[test]
fn crash_writer_child_process() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let dir = Path::new(&dir);
    let log = TransparencyLog::open(&dir.join("log"), operator_at(dir)).expect("reopens");
    let (_, key) = regulator(5);
    let mut next = log.size();
    let stdout = std::io::stdout();
    loop {
        let n = 1 + next % 4;
        let entries: Vec<_> = (next..next + n)
            .map(|i| verification(i, &key, i % 3 != 0))
            .collect();
        let (_, head) = log.append(&entries).expect("append");
        let mut out = stdout.lock();
        let _ = writeln!(out, "acked {} {}", head.tree_size, head.root_hash);
        let _ = out.flush();
        next += n;
    }
}

#[test]
fn the_log_survives_sigkill_at_random_points() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let op = ControllerKey::generate().expect("key");
    std::fs::write(dir.join("operator.jwk"), op.to_json()).expect("write key");
    let exe = std::env::current_exe().expect("test binary");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(23);
    let mut acked: Vec<(u64, String)> = Vec::new();
    let started = Instant::now();
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "crash::crash_writer_child_process",
                "--exact",
                "--nocapture",
            ])
            .env(DIR_VAR, dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the writer");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        // Let it acknowledge a few appends, then kill it at a random moment
        // (often mid-append).
        let wait_for = rng.gen_range(0..4);
        let mut seen = 0;
        while seen < wait_for {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("acked ") => {
                    acked.push(parse(&line));
                    seen += 1;
                }
                Some(Ok(_)) => {}
                _ => panic!("kill {kill}: the writer stopped by itself"),
            }
        }
        std::thread::sleep(Duration::from_micros(rng.gen_range(0..4000)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        // Whatever it printed before dying was acknowledged too.
        for line in lines.map_while(Result::ok) {
            if line.starts_with("acked ") {
                acked.push(parse(&line));
            }
        }
        let log = TransparencyLog::open(&dir.join("log"), op.clone())
            .unwrap_or_else(|e| panic!("kill {kill}: the log does not reopen: {e}"));
        log.check_full(|_| {})
            .unwrap_or_else(|e| panic!("kill {kill}: {e}"));
        let checks = acked.iter().rev().take(3).chain(acked.iter().step_by(37));
        for (size, root) in checks {
            assert!(
                log.size() >= *size,
                "kill {kill}: acknowledged entry {size} lost"
            );
            assert_eq!(
                &hex::encode(log.root_at(*size).expect("root")),
                root,
                "kill {kill}: history before {size} changed"
            );
        }
    }
    // Every acknowledged size, once more, at the end.
    let log = TransparencyLog::open(&dir.join("log"), op).expect("reopens");
    for (size, root) in &acked {
        assert_eq!(&hex::encode(log.root_at(*size).expect("root")), root);
    }
    println!(
        "{KILLS} kills in {:.1?}: {} appends acknowledged, {} entries",
        started.elapsed(),
        acked.len(),
        log.size()
    );
}

fn parse(line: &str) -> (u64, String) {
    let mut parts = line.split_whitespace().skip(1);
    let size = parts.next().and_then(|s| s.parse().ok()).expect("size");
    let root = parts.next().expect("root").to_string();
    (size, root)
}
