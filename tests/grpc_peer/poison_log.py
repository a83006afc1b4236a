#!/usr/bin/env python3
"""Review 2's audit-log poisoning (issue 42, finding 2), reproduced with a gRPC
client that is not veil's own: Python grpcio, with stubs generated here from
service/client/proto by grpcio-tools.

    python3 tests/grpc_peer/poison_log.py HOST:PORT DEMO_DIR

against a running `veil serve` whose keys match DEMO_DIR's proof (the demo's
insecure key; `veil demo --keep DEMO_DIR` writes proof.json and public.json).
It sends `Verify` anonymously for the demo proof behind 3,000,000 newlines,
then reads the log over GetEntries and audits nothing else. It passes when
the answer arrives (no OUT_OF_RANGE), the logged entry is the proof's
canonical form (a few kB, not 6 MB), and every page of the log still reads.
Exit 0 on pass, 1 with the reason on failure.
"""

import json
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PADDING = 3_000_000


def stubs():
    """veil.v1's messages and stubs, generated into a fresh directory that is
    a regular package first on sys.path (so it wins over the `veil` binding
    package, which has the same top-level name)."""
    out = tempfile.mkdtemp(prefix="veil-stubs-")
    proto_root = os.path.join(REPO, "service", "client", "proto")
    if protoc.main(["protoc", f"-I{proto_root}", f"--python_out={out}",
                    f"--grpc_python_out={out}", "veil/v1/veil.proto"]) != 0:
        sys.exit("poison_log.py: protoc failed on veil.proto")
    for package in ("veil", os.path.join("veil", "v1")):
        open(os.path.join(out, package, "__init__.py"), "a").close()
    sys.path.insert(0, out)
    from veil.v1 import veil_pb2, veil_pb2_grpc
    return veil_pb2, veil_pb2_grpc


def fail(reason):
    print(f"FAIL: {reason}")
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    target, demo = sys.argv[1], sys.argv[2]
    pb, rpc = stubs()
    proof_json = open(os.path.join(demo, "proof.json")).read()
    inputs = json.load(open(os.path.join(demo, "public.json")))
    limit = 16 << 20
    channel = grpc.insecure_channel(target, options=[
        ("grpc.max_send_message_length", limit), ("grpc.max_receive_message_length", limit)])
    verifier, log = rpc.VerifierStub(channel), rpc.AuditLogStub(channel)
    padded = pb.Proof(system=pb.PROOF_SYSTEM_GROTH16, proof_json="\n" * PADDING + proof_json,
                      public_inputs=inputs)
    before = log.GetSignedTreeHead(pb.GetSignedTreeHeadRequest(), timeout=30).tree_size
    try:
        answer = verifier.Verify(pb.VerifyRequest(proof=padded), timeout=60)
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.INVALID_ARGUMENT:
            # Refused before logging is also safe: the log must not have grown.
            after = log.GetSignedTreeHead(pb.GetSignedTreeHeadRequest(), timeout=30).tree_size
            if after != before:
                fail(f"refused ({e.details()}) but the log grew from {before} to {after}")
            print(f"refused: {e.details()}")
            return
        fail(f"Verify answered {e.code().name}: {e.details()}")
    entry = json.loads(answer.log_entry)
    if len(answer.log_entry) > 64 << 10:
        fail(f"the logged entry is {len(answer.log_entry)} bytes")
    logged = entry.get("proof", "")
    if logged.startswith("\n") or json.loads(logged) != json.loads(proof_json):
        fail("the caller's bytes were logged, not the proof's canonical form")
    size = log.GetSignedTreeHead(pb.GetSignedTreeHeadRequest(), timeout=30).tree_size
    at, pages = 0, 0
    while at < size:
        try:
            page = log.GetEntries(pb.GetEntriesRequest(start=at, end=min(size, at + 1024)),
                                  timeout=30).entries
        except grpc.RpcError as e:
            fail(f"GetEntries [{at}, {size}) answered {e.code().name}: {e.details()}")
        if not page:
            fail(f"GetEntries [{at}, {size}) answered no entries")
        at, pages = at + len(page), pages + 1
    print(f"pass: Verify answered (valid={answer.valid}, entry {answer.log_index}, "
          f"{len(answer.log_entry)} bytes); the log's {size} entries read in {pages} page(s)")


if __name__ == "__main__":
    main()
