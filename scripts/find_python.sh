#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 supports up to 3.10).
# Looks on PATH first, then in pyenv's usual install folder.
set -euo pipefail
for candidate in "${PYTHON:-}" python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python3.10" "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1; then
    path="$(command -v "$candidate")"
    if "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      echo "$path"; exit 0
    fi
  fi
done
echo "Python 3.10 was not found. Rasa 3.6 needs Python 3.10: install it (e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv') and run make again." >&2
exit 1
