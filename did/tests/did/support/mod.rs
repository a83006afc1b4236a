//! Crash injection shared by the store tests: a writer (this test binary
//! re-run on one test, with an environment variable naming the store's
//! folder) prints `acked <n>` after each durable write; it is SIGKILLed at
//! random points and the caller checks the store after each kill.

use rand::{Rng, SeedableRng};
use std::io::BufRead;
use std::path::Path;

/// Runs the writer test `writer` with `env=dir` `kills` times, killing it
/// after 0–2 acknowledgements and a random 0–4 ms; after each kill calls
/// `check(kill, acked)` with the highest number acknowledged so far.
/// Returns that number.
pub fn kill_at_random_points(
    writer: &str,
    env: &str,
    dir: &Path,
    seed: u64,
    kills: usize,
    mut check: impl FnMut(usize, u64),
) -> u64 {
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut acked = 0u64;
    let record = |line: &str, acked: &mut u64| match line.strip_prefix("acked ") {
        Some(n) => {
            *acked = (*acked).max(n.parse().unwrap());
            true
        }
        None => false,
    };
    for kill in 0..kills {
        let mut child = std::process::Command::new(&exe)
            .args([writer, "--exact", "--nocapture"])
            .env(env, dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let wait_for = rng.gen_range(0..3);
        let mut seen = 0;
        while seen < wait_for {
            match lines.next() {
                Some(Ok(line)) => seen += usize::from(record(&line, &mut acked)),
                _ => panic!("kill {kill}: the writer stopped by itself"),
            }
        }
        std::thread::sleep(std::time::Duration::from_micros(rng.gen_range(0..4000)));
        child.kill().unwrap();
        let _ = child.wait();
        for line in lines.map_while(Result::ok) {
            record(&line, &mut acked);
        }
        check(kill, acked);
    }
    acked
}
