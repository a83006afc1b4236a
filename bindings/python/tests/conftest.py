"""Fixtures: the files of one `veil demo --keep` run (keys, proof, DID
registry, W3C credential, transparency log, regulator shares).

CI makes the directory once and passes it as VEIL_DEMO_DIR; otherwise the
`veil` binary ($VEIL_BIN, or on PATH) makes it here.
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> pathlib.Path:
    given = os.environ.get("VEIL_DEMO_DIR")
    if given:
        return pathlib.Path(given)
    veil = os.environ.get("VEIL_BIN") or shutil.which("veil")
    if not veil:
        pytest.fail("set VEIL_DEMO_DIR (a `veil demo --keep DIR` directory) or VEIL_BIN")
    out = tmp_path_factory.mktemp("demo") / "files"
    subprocess.run([veil, "demo", "--keep", str(out)], check=True, capture_output=True)
    return out


def read(demo: pathlib.Path, name: str) -> str:
    return (demo / name).read_text()


def load(demo: pathlib.Path, name: str):
    return json.loads(read(demo, name))
