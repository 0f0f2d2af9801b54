"""The built wheel ships the registered experiments: installed into a fresh venv (no network,
dependencies taken from this interpreter), `aejax list` lists them and `aejax config` reads one."""
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from aejax import registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder, environment) of a fresh venv holding only the aejax wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT / "aejax", source / "aejax", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(tmp / "dist"), str(source)], check=True, capture_output=True)
    (wheel,) = (tmp / "dist").glob("aejax-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir)
    bin_dir = env_dir / "bin"
    subprocess.run([sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True)
    deps = sysconfig.get_paths()["purelib"]  # jax, ml_collections, ... of the test interpreter
    return bin_dir, {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": deps, "HOME": str(tmp)}


def test_wheel_lists_and_configures_the_built_in_experiments(installed, tmp_path):
    bin_dir, env = installed
    where = subprocess.run([bin_dir / "python", "-c", "import aejax; print(aejax.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(bin_dir.parent)), f"aejax imported from {where}, not from the installed wheel"
    listing = subprocess.run([bin_dir / "aejax", "list"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    listed = {line.split()[0] for line in listing.stdout.splitlines() if line.strip()}
    missing = set(registry.names()) - listed
    assert not missing, f"the wheel does not list {sorted(missing)}"
    shown = subprocess.run([bin_dir / "aejax", "config", "hinton2006/mnist"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "784" in shown.stdout and "1000" in shown.stdout
