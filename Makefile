# Two commands do all the set-up on a fresh machine:
#   make demo   -> .venv with what the demo needs (core + plot), then `linstab analyze repressilator`
#                  and the diagram
#   make test   -> the same .venv plus every extra and Chromium, then the whole test suite
VENV    := .venv
PY      := $(VENV)/bin/python
DEMO_STAMP := $(VENV)/.installed-demo
STAMP   := $(VENV)/.installed

.PHONY: install demo-install demo test test-floors book bench browser mathjax clean

$(DEMO_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[plot]'
	touch $(DEMO_STAMP)

$(STAMP): $(DEMO_STAMP) pyproject.toml
	# the CPU wheel that lies on disk, before anything can pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[all]'
	touch $(STAMP)

demo-install: $(DEMO_STAMP)
install: $(STAMP)

# MathJax 3 for the book, served from the book itself (no CDN): fetched once from npm
MATHJAX := book/_vendor/mathjax/tex-chtml.js
$(MATHJAX):
	@command -v npm >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q npm; }
	rm -rf build/mathjax book/_vendor/mathjax && mkdir -p build/mathjax book/_vendor/mathjax
	cd build/mathjax && npm pack --silent mathjax@3.2.2 >/dev/null && tar xzf mathjax-3.2.2.tgz
	cd build/mathjax/package/es5 && cp -r tex-chtml.js a11y adaptors input output ui ../../../../book/_vendor/mathjax/

mathjax: $(MATHJAX)

# the book, executed and built offline into book/_build/html (Sphinx warnings are errors)
book: install $(MATHJAX)
	rm -rf book/_build
	LINSTAB_BOOK_BUILD=1 $(VENV)/bin/jupyter-book build book --warningiserror --keep-going

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }

demo: demo-install
	$(VENV)/bin/linstab analyze repressilator
	mkdir -p build
	$(VENV)/bin/linstab diagram repressilator --param beta --against n --html build/repressilator.html
	@echo "Open build/repressilator.html in a browser (works offline): the stability diagram and eigenvalue explorer."

# pytest exits 5 when it collected no test: that is a broken suite, not a pass
test: install browser $(MATHJAX)
	$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

# the core (sym, num, model, parser, checker, CLI) on the lowest versions pyproject.toml declares, in
# a venv of its own (no torch or bokeh there: those tests skip). SymPy 1.12 was tried and dropped:
# its solve takes over 10 s of CPU on the Sel'kov Hopf curve (1.9 s on 1.13+), past the default budget.
FLOORS := .venv-floors
FLOOR_PINS := "sympy==1.13.3" "mpmath==1.3.0" "numpy==1.24.4" "scipy==1.10.1" "pytest>=7.4" "hypothesis>=6.80"
FLOOR_TESTS := tests/sym tests/num tests/check tests/catalogue tests/test_model.py tests/test_parse.py \
	tests/test_cli_analyze.py tests/test_cli_bifurcation.py tests/test_cli_map.py
test-floors:
	test -x $(FLOORS)/bin/python || python3 -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install -q $(FLOOR_PINS)
	$(FLOORS)/bin/python -c "import sympy, numpy, scipy; print('floors: sympy', sympy.__version__, 'numpy', numpy.__version__, 'scipy', scipy.__version__)"
	PYTHONPATH=$(CURDIR) $(FLOORS)/bin/python -m pytest -q -p no:cacheprovider $(FLOOR_TESTS)

# each script runs linstab side by side with its baseline and prints a table (see README, Benchmarks)
bench: install
	$(PY) benchmarks/bench_analyze.py
	$(PY) benchmarks/bench_map.py
	$(PY) benchmarks/bench_sc.py

clean:
	rm -rf $(VENV) $(FLOORS) build book/_build .pytest_cache
