#!/usr/bin/env bash
# Idempotent set-up: .venv, pinned packages, our spaCy pipeline, database schema.
# Each step is skipped when its inputs have not changed (stamp files in .venv/).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$(scripts/find_python.sh)"
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv with $PY"
  "$PY" -m venv .venv
fi
REQ_HASH="$(cat requirements.txt requirements-test.txt requirements-nodeps.txt | sha256sum | cut -c1-16)"
if [ "$(cat .venv/.installed 2>/dev/null || true)" != "$REQ_HASH" ]; then
  echo "==> Installing pinned packages (first time takes a few minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0" "setuptools==70.3.0" "wheel==0.45.1"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  echo "$REQ_HASH" > .venv/.installed
fi
.venv/bin/python -m bot setup
