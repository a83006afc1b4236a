//! Crash injection on the job store: a writer process (this test binary,
//! re-run with `VEIL_CRASH_JOBS_DIR`) stores jobs and acknowledges each
//! after the synced write returns, as `SubmitProof` does; it is SIGKILLed at
//! random points 200 times. After each kill the store reopens, every
//! acknowledged job is there and decodes, and nothing else is half-written.

use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use veil_service::pb::{JobState, ProofJob, ProveRequest, StoredJob};
use veil_service::store::Store;

const DIR_VAR: &str = "VEIL_CRASH_JOBS_DIR";

/// The writer (returns at once unless `VEIL_CRASH_JOBS_DIR` is set).
#[test]
fn crash_jobs_writer_child_process() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&dir)).expect("reopens");
    let mut n = store.jobs().expect("jobs").len();
    let stdout = std::io::stdout();
    loop {
        let id = format!("{n:032x}");
        store
            .put_job(&StoredJob {
                request: Some(ProveRequest {
                    policy_json: "x".repeat(n % 4096),
                    ..Default::default()
                }),
                job: Some(ProofJob {
                    job_id: id.clone(),
                    state: JobState::Queued as i32,
                    ..Default::default()
                }),
                owner: "crash".into(),
            })
            .expect("put");
        let _ = writeln!(stdout.lock(), "acked {id}");
        let _ = stdout.lock().flush();
        n += 1;
    }
}

#[test]
fn the_job_store_survives_sigkill_at_random_points() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(31);
    let mut acked: Vec<String> = Vec::new();
    for kill in 0..200 {
        let mut child = Command::new(&exe)
            .args([
                "crash::crash_jobs_writer_child_process",
                "--exact",
                "--nocapture",
            ])
            .env(DIR_VAR, tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let wait_for = rng.gen_range(0..4);
        let mut seen = 0;
        while seen < wait_for {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(id) = line.strip_prefix("acked ") {
                        acked.push(id.to_owned());
                        seen += 1;
                    }
                }
                _ => panic!("kill {kill}: the writer stopped by itself"),
            }
        }
        std::thread::sleep(std::time::Duration::from_micros(rng.gen_range(0..4000)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        for line in lines.map_while(Result::ok) {
            if let Some(id) = line.strip_prefix("acked ") {
                acked.push(id.to_owned());
            }
        }
        let store = Store::open(tmp.path())
            .unwrap_or_else(|e| panic!("kill {kill}: the store does not reopen: {e}"));
        let jobs = store
            .jobs()
            .unwrap_or_else(|e| panic!("kill {kill}: a stored job does not decode: {e}"));
        assert!(
            jobs.len() >= acked.len(),
            "kill {kill}: acknowledged jobs lost"
        );
        for id in acked.iter().rev().take(4) {
            assert!(
                store.get_job(id).expect("read").is_some(),
                "kill {kill}: acknowledged job {id} lost"
            );
        }
    }
    let store = Store::open(tmp.path()).expect("reopens");
    for id in &acked {
        assert!(store.get_job(id).expect("read").is_some(), "job {id} lost");
    }
    assert!(acked.len() > 100, "only {} jobs acknowledged", acked.len());
}
