"""Checks a built sdist: it holds the tracked sources the wheel is built from
and nothing else (no objects, libraries, build trees, caches or virtual
environments left by other builds in the checkout).

    python tests/packaging/check_sdist.py build/sdist/scoresactivation-*.tar.gz
"""

import fnmatch
import pathlib
import subprocess
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORBIDDEN = ["*.o", "*.so", "*.a", "*.pyc", "*/__pycache__/*", "*/build/*", "*/.venv/*", "*CMakeCache.txt",
             "*/CMakeFiles/*", "*.Rcheck/*", "*/.stamps/*", "*.egg-info/*"]
# Besides the sources: what scikit-build-core writes and the metadata it needs.
EXPECTED_EXTRA = {"PKG-INFO", "pyproject.toml", "README.md", "LICENSE", "CMakeLists.txt"}


def tracked_sources():
    """The sources a wheel is built from, as git tracks them (relative to python-package/)."""
    core = subprocess.run(["git", "ls-files", "core"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    package = subprocess.run(["git", "ls-files", "src"], cwd=ROOT / "python-package", check=True,
                             capture_output=True, text=True).stdout
    return {p for p in (core + package).split() if p.endswith((".cpp", ".hpp", ".inc", ".py", "CMakeLists.txt"))}


def main(path):
    with tarfile.open(path) as sdist:
        names = [m.name for m in sdist.getmembers() if m.isfile()]
    top = names[0].split("/", 1)[0]
    members = {n.split("/", 1)[1] for n in names}
    bad = sorted(m for m in members if any(fnmatch.fnmatch("/" + m, "*" + p.lstrip("*")) or fnmatch.fnmatch(m, p)
                                           for p in FORBIDDEN))
    missing = sorted(tracked_sources() - members)
    unexpected = sorted(m for m in members - tracked_sources() - EXPECTED_EXTRA)
    print(f"{path}: {len(members)} files in {top}/")
    problems = []
    if bad:
        problems.append(f"build products or caches: {bad[:10]}")
    if missing:
        problems.append(f"tracked sources missing: {missing[:10]}")
    if unexpected:
        problems.append(f"untracked files: {unexpected[:10]}")
    if problems:
        sys.exit("sdist check failed: " + "; ".join(problems))
    print("sdist: only tracked sources")


if __name__ == "__main__":
    main(sys.argv[1])
