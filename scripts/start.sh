#!/usr/bin/env bash
# Install the dashboard's requirements and start it on http://127.0.0.1:8050 (embedded defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/gunicorn wsgi:server --bind "${HOST:-127.0.0.1}:${PORT:-8050}" --workers "${WEB_CONCURRENCY:-2}" --timeout 120
