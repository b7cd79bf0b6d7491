#!/usr/bin/env bash
# Install the dashboard's requirements and start it on http://127.0.0.1:8050 (embedded defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
export OMP_WAIT_POLICY=passive
if [ -f /usr/lib/x86_64-linux-gnu/libopenblas.so ] || [ -f /usr/lib/aarch64-linux-gnu/libopenblas.so ]; then
  export PYTENSOR_FLAGS="${PYTENSOR_FLAGS:-blas__ldflags=-lopenblas}"
fi
exec .venv/bin/gunicorn -c gunicorn.conf.py wsgi:server --bind "${HOST:-127.0.0.1}:${PORT:-8050}"  # workers, threads: gunicorn.conf.py
