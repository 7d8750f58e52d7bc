// The library's version: the one place it is written. CMake, the Python
// package's metadata (pyproject.toml, scikit-build-core's regex provider)
// and both bindings read it from here; r-package/DESCRIPTION, which R needs
// as a literal, is checked against it (tests/python/test_version.py and the
// R package's test-version.R).
#pragma once

#define SCORESACTIVATION_VERSION "0.1.0"

namespace scoresactivation {
constexpr const char* kLibraryVersion = SCORESACTIVATION_VERSION;
}  // namespace scoresactivation
