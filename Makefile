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

APT_PACKAGES := build-essential cmake pkg-config libeigen3-dev libgtest-dev nlohmann-json3-dev \
	python3-dev python3-venv r-base-dev r-cran-rcpp r-cran-rcppeigen r-cran-testthat \
	r-cran-jsonlite r-cran-knitr r-cran-rmarkdown pandoc
PY_PACKAGES := numpy scikit-learn pandas pytest shap matplotlib nbclient nbformat ipykernel \
	scikit-build-core pybind11 build

# Sources only: R CMD INSTALL leaves objects in core/src (reached through
# r-package/src/core), which must not become make targets.
CORE_SOURCES := $(shell find core -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.inc' -o -name CMakeLists.txt \)) CMakeLists.txt
PY_SOURCES := $(shell find python-package -type f -not -path 'python-package/build/*' -not -path '*/__pycache__/*' \
	-not -name '*.pyc' -not -name '*.o' -not -name '*.so') $(CORE_SOURCES)
R_SOURCES := $(shell find r-package -type f -not -path '*.Rcheck*' -not -name '*.o' -not -name '*.so' 2>/dev/null) $(CORE_SOURCES)

.PHONY: help demo test deps test-cpp test-python test-sdist test-r test-cross check-r python-install r-install clean

help:
	@echo "make demo   set everything up, fit on built-in data, print the ranking beside SHAP's"
	@echo "make test   set everything up and run every test suite (C++, Python, R, cross-language)"

# ------------------------------------------------------------------ set-up
$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

$(STAMPS)/venv: $(STAMPS)/apt Makefile
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q $(PY_PACKAGES)
	@# Test-only: PyTorch (CPU) and captum check our attributions against captum's.
	@$(PY) -m pip install -q "torch==2.13.0+cpu" captum || \
	  echo "PyTorch 2.13 CPU is not available here: the captum comparisons will be skipped"
	@# Benchmark-only: the peers of benchmarks/peers.py. The PyTorch-based ones
	@# only next to the CPU PyTorch above (else pip would fetch a CUDA build);
	@# stg's lifelines pins pandas < 3 for Cox models stg does not use: --no-deps.
	@$(PY) -m pip install -q interpret-core || echo "interpret is not available: peers.py will say so"
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
	@MAKEFLAGS=-j$(JOBS) R CMD INSTALL --preclean --no-test-load r-package >build-r-install.log 2>&1 || { cat build-r-install.log; exit 1; }
	@rm -f build-r-install.log
	@touch $@

r-install: $(STAMPS)/r-package

# -------------------------------------------------------------------- demo
demo: $(STAMPS)/python-package $(STAMPS)/r-package
	@$(PY) docs/examples/demo.py
	@Rscript docs/examples/demo.R

# ------------------------------------------------------------------- tests
test: test-cpp test-python test-sdist test-r test-cross check-r
	@echo "All test suites passed."

test-cpp: $(STAMPS)/apt
	@cmake -S . -B build/cpp -DBUILD_TESTING=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/cpp -j$(JOBS) >/dev/null
	@ctest --test-dir build/cpp --output-on-failure

# pytest exits 5 when it collects nothing: that is a failure here too.
test-python: $(STAMPS)/python-package
	@$(PY) -m pytest tests/python -q -p no:cacheprovider

# The sdist must carry the C++ core and install in a fresh environment.
test-sdist: $(STAMPS)/venv
	@rm -rf build/sdist && mkdir -p build/sdist
	@$(PY) -m build --sdist -o build/sdist python-package >build/sdist/build.log 2>&1 || { cat build/sdist/build.log; exit 1; }
	@$(PYTHON) -m venv build/sdist/venv
	@build/sdist/venv/bin/python -m pip install -q build/sdist/scoresactivation-*.tar.gz
	@cd build/sdist && venv/bin/python -c "import numpy as np; from scoresactivation import ScoresActivationRegressor as R; 	  X = np.random.default_rng(0).normal(size=(200, 3)); y = 2 * X[:, 1]; 	  est = R(random_state=0).fit(X, y); assert est.ranking()[0] == 1 and est.score(X, y) > 0.9; 	  print('sdist: built, installed in a fresh venv, fits (R^2 %.3f)' % est.score(X, y))"

test-r: $(STAMPS)/r-package
	@cd r-package/tests && Rscript testthat.R

test-cross: $(STAMPS)/python-package $(STAMPS)/r-package
	@$(PY) -m pytest tests/cross_language -q -p no:cacheprovider

check-r: $(STAMPS)/apt
	@rm -rf build/r-check && mkdir -p build/r-check
	@cd build/r-check && R CMD build ../../r-package >build.log 2>&1 || { cat build.log; exit 1; }
	@cd build/r-check && MAKEFLAGS=-j$(JOBS) _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual scoresactivation_*.tar.gz >check.log 2>&1; \
	  status=$$?; tail -n 20 check.log; \
	  if [ $$status -ne 0 ] || grep -qE '^Status: .*(ERROR|WARNING)' check.log; then echo "R CMD check failed"; exit 1; fi

clean:
	rm -rf build $(STAMPS) $(VENV)
