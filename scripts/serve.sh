#!/usr/bin/env bash
# Build kubeplay and serve it on http://127.0.0.1:${PORT:-8080}, rebuilding on change.
# Installs what is missing first (see scripts/lib.sh). Extra arguments go to `trunk serve`,
# e.g. `./scripts/serve.sh --release` for the optimised build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="${PORT:-8080}"
ensure_build_tools

say "Serving kubeplay on http://127.0.0.1:$PORT/ (Ctrl-C stops)"
exec trunk serve --address 127.0.0.1 --disable-address-lookup --port "$PORT" "$@"
