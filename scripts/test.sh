#!/usr/bin/env bash
# Everything `make test` runs, in order. Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
echo "==> Lint (ruff) and types (mypy): any finding fails the run"
$PY -m ruff check bot actions tests scripts
$PY -m mypy bot actions
echo "==> rasa data validate"
$PY -m rasa data validate --fail-on-warnings --config config.yml --domain domain.yml --data data
echo "==> Training if needed"
$PY -m bot train
echo "==> Test services (PostgreSQL, Redis, Chromium) when missing"
scripts/test_services.sh
# shellcheck disable=SC1091
source var/test-services.env
echo "==> pytest"
set +e
$PY -m pytest "$@"
rc=$?
set -e
# exit code 5 = no tests collected: that is a failure for us too
exit $rc
