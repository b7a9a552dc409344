# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,suggest]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/facilitator init
	$(BIN)/facilitator serve --host $${HOST:-0.0.0.0} --port $${PORT:-5000}

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Translations: extract every _() from Python and templates into the .pot, merge it
# into each catalogue, compile the .mo files. Safe to re-run: the .pot is only
# replaced when a message changed (not just its creation date).
POT := facilitator/translations/messages.pot
BABEL_KEYWORDS := -k _l -k lazy_gettext -k gettext -k ngettext:1,2

messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --project=Facilitator --sort-by-file -o $(POT).new .
	if [ -f $(POT) ] && diff -q -I '^"POT-Creation-Date:' $(POT) $(POT).new >/dev/null; then rm $(POT).new; else mv $(POT).new $(POT); fi
	$(BIN)/pybabel -q update -i $(POT) -d facilitator/translations -l da --init-missing --ignore-obsolete --ignore-pot-creation-date --previous
	$(BIN)/pybabel compile -d facilitator/translations --statistics
