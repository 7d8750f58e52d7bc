"""tests/packaging/check_sdist.py refuses an sdist carrying build products
(make test-sdist runs it on the real one)."""

import io
import pathlib
import subprocess
import sys
import tarfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "tests" / "packaging" / "check_sdist.py"


def _sdist(tmp_path, extra):
    sources = subprocess.run(["git", "ls-files", "core"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    sources += ["src/" + p for p in subprocess.run(["git", "ls-files"], cwd=ROOT / "python-package" / "src",
                                                   capture_output=True, text=True).stdout.split()]
    path = tmp_path / "scoresactivation-0.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name in sources + ["PKG-INFO", "pyproject.toml"] + extra:
            info = tarfile.TarInfo("scoresactivation-0.0.0/" + name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    return path


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout (git ls-files)")
@pytest.mark.parametrize("extra, ok", [([], True), (["core/src/estimator.o"], False),
                                       (["build/CMakeCache.txt"], False), (["src/scoresactivation/x.so"], False)])
def test_check_sdist_refuses_build_products(tmp_path, extra, ok):
    result = subprocess.run([sys.executable, str(CHECK), str(_sdist(tmp_path, extra))], capture_output=True, text=True)
    assert (result.returncode == 0) == ok, result.stdout + result.stderr


def test_the_python_package_carries_the_projects_license():
    """python-package/LICENSE is a copy (an sdist cannot carry a link out of its folder)."""
    assert (ROOT / "python-package" / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
