#!/usr/bin/env python3
"""Builds every test target of the workspace and runs the test binaries two
at a time (`scripts/test` without arguments; `VEIL_TEST_JOBS` sets how many).

Why not `cargo test`: it runs one binary after another, and a binary whose
tests wait on a child process, PostgreSQL or a socket leaves a core idle
(the suite kept both cores 84 % busy). Why not cargo-nextest: it runs each
test in a process of its own, and veil's binaries share their costly set-up
(halo2 keys and proofs, a PostgreSQL cluster) between the tests of one
binary. Here each binary runs whole, as `cargo test` runs it: from its
package's directory, with `CARGO_MANIFEST_DIR` set, its tests on the
harness's threads.

A binary that fails is run once more alone, and the run fails unless that
passes; either way both outputs are printed and it is named at the end, so a
test that only fails under load is seen, not hidden.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

# The longest binaries start first, so that the last one to finish does not
# run alone for long (seconds each took in CI, two at a time on the 2-core
# machine, 2026-12-07; benches/RESULTS.md#build-and-ci).
LONGEST_FIRST = {
    "cli": 133,
    "service": 129,
    "onchain": 97,
    "halo2": 71,
    "circuits": 62,
    "audit": 39,
    "soundness": 31,
    "issuer": 30,
    "did": 29,
    "gas": 29,
    "mobile": 22,
    "groth16": 19,
    "prover": 17,
}


def build():
    """`cargo test --no-run` over the workspace; the test executables."""
    command = ["cargo", "test", "--workspace", "--all-targets", "--no-run",
               "--message-format=json-render-diagnostics"]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(result.returncode)
    binaries = []
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact" or not message.get("executable"):
            continue
        if not message["profile"]["test"]:
            continue
        target = message["target"]
        binaries.append({
            "name": target["name"],
            "kind": target["kind"][0],
            "dir": os.path.dirname(message["manifest_path"]),
            "exe": message["executable"],
        })
    return binaries


def run(binary, log_dir):
    """Runs one test binary; its exit status, seconds and output."""
    env = dict(os.environ, CARGO_MANIFEST_DIR=binary["dir"])
    log = os.path.join(log_dir, f"{binary['name']}-{binary['kind']}-{os.getpid()}-{time.monotonic_ns()}.log")
    start = time.monotonic()
    with open(log, "w") as out:
        status = subprocess.run([binary["exe"]], cwd=binary["dir"], env=env,
                                stdout=out, stderr=subprocess.STDOUT).returncode
    with open(log) as out:
        output = out.read()
    return status, time.monotonic() - start, output


def label(binary):
    package = os.path.relpath(binary["dir"])
    return f"{package}: {binary['name']} ({binary['kind']})"


def main():
    binaries = build()
    binaries.sort(key=lambda b: -LONGEST_FIRST.get(b["name"], 0))
    jobs = int(os.environ.get("VEIL_TEST_JOBS", "2"))
    failed, failed_alone, flaky, times = [], [], [], []
    with tempfile.TemporaryDirectory() as log_dir:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            running = {pool.submit(run, b, log_dir): b for b in binaries}
            for done in as_completed(running):
                binary = running[done]
                status, seconds, output = done.result()
                times.append((seconds, label(binary)))
                verdict = "ok" if status == 0 else f"FAILED (exit {status})"
                print(f"== {label(binary)}: {verdict} in {seconds:.1f} s", flush=True)
                print(output, end="", flush=True)
                if status != 0:
                    failed.append(binary)
        for binary in failed:
            print(f"== {label(binary)}: running it again alone", flush=True)
            status, seconds, output = run(binary, log_dir)
            print(output, end="", flush=True)
            print(f"== {label(binary)}: {'ok' if status == 0 else 'FAILED'} alone in {seconds:.1f} s",
                  flush=True)
            if status == 0:
                flaky.append(label(binary))
            else:
                failed_alone.append(label(binary))
    print(f"\n== test binaries, longest first (seconds, {jobs} at a time)")
    for seconds, name in sorted(times, reverse=True)[:12]:
        print(f"{seconds:7.1f}  {name}")
    for name in flaky:
        print(f"warning: {name} failed beside another binary and passed alone", file=sys.stderr)
    if failed_alone:
        for name in failed_alone:
            print(f"error: {name} failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
