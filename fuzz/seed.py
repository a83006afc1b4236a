#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/ from the files of one demo run
(`veil demo --keep DIR`) and the wasm test's prove request:

    python3 fuzz/seed.py DIR

Seeds are valid inputs, so that mutations start from deep inside each
decoder; libFuzzer's own finds stay in a scratch corpus (.ci/fuzz)."""
import json, os, sys

demo = sys.argv[1]
root = os.path.dirname(os.path.abspath(__file__))
request = json.load(open(os.path.join(root, "..", "bindings", "wasm", "tests", "request.json")))


def put(target, name, data):
    d = os.path.join(root, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def demo_file(*path):
    p = os.path.join(demo, *path)
    return open(p, "rb").read() if os.path.exists(p) else None


def pb_string(field, text):
    """One length-delimited protobuf field."""
    data = text.encode() if isinstance(text, str) else text
    out, n = bytes([field << 3 | 2]), len(data)
    while True:
        out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            break
    return out + data


def pb_varint(field, n):
    out = bytes([field << 3])
    while True:
        out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return out


# documents: the selector byte, then the document.
for i, key in enumerate(["policy", "context", "credential", "holder"]):
    put("documents", key, bytes([i]) + json.dumps(request[key]).encode())
put("documents", "issuers", bytes([6]) + json.dumps(request["issuers"]).encode())
put("documents", "revoked", bytes([7]) + json.dumps(request["revoked"]).encode())
put("documents", "request", bytes([8]) + json.dumps(request).encode())

# gRPC: a prove request, and a verify request around the demo's proof.
prove = b"".join(pb_string(f, json.dumps(request[k])) for f, k in
                 [(1, "credential"), (2, "holder"), (3, "policy"), (4, "context")])
put("grpc_message", "prove", b"\x00" + prove + pb_varint(5, 1))
proof, public = demo_file("proof.json"), demo_file("public.json")
if proof and public:
    message = pb_string(2, proof) + b"".join(pb_string(3, s) for s in json.loads(public))
    verify = pb_string(1, pb_varint(1, 1) + message) + pb_string(2, json.dumps(request["policy"]))
    put("grpc_message", "verify", b"\x01" + verify)
    put("grpc_message", "verify-batch", b"\x02" + pb_string(1, verify) + pb_string(1, verify))
    put("groth16_proof", "proof-json", proof)
    put("groth16_proof", "public-json", public)
    put("groth16_proof", "binding", proof + b"\0" + public)
put("grpc_message", "resolve", b"\x03" + pb_string(1, "did:veil:z6Mkq1zs7Ut5sYqWMGpgh2Rp3"))

# Credentials and DIDs from the demo, when it kept them.
for name in ["credential.vc.json", "kyc.vc.json", "vc.json"]:
    vc = demo_file(name)
    if vc:
        put("credential", name, vc)
vk = demo_file("compliance.vk")
if vk:
    put("key_file", "groth16-vk", vk)
    # The payload alone: the target frames it with a valid checksum.
    put("key_file", "groth16-vk-payload", vk[49:-32])
