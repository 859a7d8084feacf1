# Two commands do all the set-up on a fresh machine:
#   make demo   -> .venv with every extra, then `linstab analyze repressilator` and the diagram
#   make test   -> the same .venv plus Chromium, then the whole test suite
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

.PHONY: install demo test book bench browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU wheel that lies on disk, before anything can pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[all]'
	touch $(STAMP)

install: $(STAMP)

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }

demo: install
	$(VENV)/bin/linstab analyze repressilator

# pytest exits 5 when it collected no test: that is a broken suite, not a pass
test: install browser
	$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build book/_build .pytest_cache
