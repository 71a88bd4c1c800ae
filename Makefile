# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make demo   the portal with demo data on http://127.0.0.1:$(PORT)
#   make test   the whole test suite
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)

.PHONY: install demo test lint format bench clean messages

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo --url http://127.0.0.1:$(PORT)
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Needs GNU gettext (apt-get install gettext). Extracts the msgids into
# locale/nl/LC_MESSAGES/django.po and compiles django.mo; commit both after translating.
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l nl --no-location --ignore=.venv --ignore=var --ignore=test-artifacts --ignore=tests
	DEBUG=1 $(PY) manage.py compilemessages -l nl --ignore=.venv

bench: install
	DEBUG=1 $(PY) bench/run.py

clean:
	rm -rf $(VENV) var db.sqlite3
