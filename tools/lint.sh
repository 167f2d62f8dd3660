#!/usr/bin/env bash
# `make lint`: ruff check and ruff format --check, configured in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ruff >/dev/null 2>&1 || python3 -m pip install -q ruff
ruff check .
ruff format --check .
