#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium + chromedriver, dev requirements) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
for p in chromium chromium-driver redis-server libopenblas-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
export OMP_WAIT_POLICY=passive                        # OpenMP libraries stay fast on 2 busy cores
export PYTENSOR_FLAGS="${PYTENSOR_FLAGS:-blas__ldflags=-lopenblas}"  # PyMC's C code links Debian's OpenBLAS
set +e
.venv/bin/python -m pytest --headless -p no:cacheprovider -q -rfEsxX "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "no tests were collected"; exit 1; fi
exit "$rc"
