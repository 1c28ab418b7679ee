# Sourced by scripts/demo and scripts/test: a virtualenv in .venv with sisamu installed (extras in $SISAMU_EXTRAS).
# Works on a fresh Debian machine with Python 3.11+: installs python3-venv with apt when the venv module is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "sisamu: need root (or sudo) to run: $*" >&2; return 1; fi; }

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "sisamu: Python 3.11 or newer is required (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "sisamu: installing Debian's python3-venv…" >&2
    as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv python3-pip >/dev/null
    rm -rf .venv && "$PYTHON" -m venv .venv
  fi
fi
stamp=".venv/.sisamu-installed-${SISAMU_EXTRAS:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "sisamu: installing Python packages (first run takes a few minutes)…" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  spec="."
  [ -n "${SISAMU_EXTRAS:-}" ] && spec=".[${SISAMU_EXTRAS}]"
  .venv/bin/python -m pip install -q -e "$spec"
  touch "$stamp"
fi
