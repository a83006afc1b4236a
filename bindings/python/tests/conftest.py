"""Fixtures: the files of one `veil demo --keep` run (keys, proof, DID
registry, W3C credential, transparency log, regulator shares).

CI makes the directories once, Groth16 and halo2, and passes them as
VEIL_DEMO_DIR and VEIL_DEMO_HALO2_DIR; otherwise the `veil` binary
($VEIL_BIN, or on PATH) makes them here.
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest


def _demo_files(tmp_path_factory, variable: str, system: str) -> pathlib.Path:
    given = os.environ.get(variable)
    if given:
        return pathlib.Path(given)
    veil = os.environ.get("VEIL_BIN") or shutil.which("veil")
    if not veil:
        pytest.fail(f"set {variable} (a `veil demo --system {system} --keep DIR` directory) or VEIL_BIN")
    out = tmp_path_factory.mktemp(f"demo-{system}") / "files"
    subprocess.run(
        [veil, "demo", "--system", system, "--keep", str(out)], check=True, capture_output=True
    )
    return out


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> pathlib.Path:
    """A Groth16 demo run (VEIL_DEMO_DIR)."""
    return _demo_files(tmp_path_factory, "VEIL_DEMO_DIR", "groth16")


@pytest.fixture(scope="session")
def demo_halo2(tmp_path_factory) -> pathlib.Path:
    """A halo2-KZG demo run (VEIL_DEMO_HALO2_DIR): its keys directory and proof."""
    return _demo_files(tmp_path_factory, "VEIL_DEMO_HALO2_DIR", "halo2")


def read(demo: pathlib.Path, name: str) -> str:
    return (demo / name).read_text()


def load(demo: pathlib.Path, name: str):
    return json.loads(read(demo, name))
