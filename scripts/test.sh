#!/usr/bin/env bash
# Everything CI checks, in order: format, lints (native and wasm32), tests, lessons, a release
# build into dist/, its size, and the browser tests against that build. Installs what is missing
# first (see scripts/lib.sh). Stops at the first failure with a non-zero exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_build_tools
for component in rustfmt clippy; do
  if rustup component list --installed | grep -q "^$component"; then
    note "rust component $component: installed"
  else
    rustup component add "$component"
  fi
done
say "Checking browser-test tools"
command -v python3 >/dev/null || apt_install python3
if [[ -x /usr/bin/chromium ]]; then note "chromium: installed"; else apt_install chromium; fi
npm_ci_once e2e

say "cargo fmt --all --check"
cargo fmt --all --check

say "cargo clippy --workspace --all-targets -- -D warnings (native)"
cargo clippy --workspace --all-targets -- -D warnings

say "cargo clippy --target wasm32-unknown-unknown -- -D warnings (app and engine)"
cargo clippy -p kubeplay -p kubeplay-engine --target wasm32-unknown-unknown -- -D warnings

say "cargo test --workspace"
cargo test --workspace

say "kubeplay lessons check lessons/"
cargo run -q -p kubeplay-cli -- lessons check lessons/

say "Lesson manifests against the Kubernetes schemas (kubernetes-validate, strict)"
ensure_kubernetes_validate
cargo run -q -p kubeplay-cli -- lessons manifests lessons/ target/lesson-manifests
.venv-validate/bin/python scripts/validate_manifests.py target/lesson-manifests
.venv-validate/bin/python scripts/gen_explain_data.py --check

say "trunk build --release (into dist/)"
trunk build --release

say "Size of the build (gzip -9; a report, not a gate)"
gz() { gzip -9 -c "$@" | wc -c; }
wasm="$(ls dist/*.wasm)"
wasm_raw=$(wc -c <"$wasm")
wasm_gz=$(gz "$wasm")
total_gz=0
for f in dist/*.wasm dist/*.js dist/*.css; do total_gz=$((total_gz + $(gz "$f"))); done
printf '    wasm: %d KB raw, %d KB gzip -9; total transfer (wasm+js+css, gzip -9): %d KB\n' \
  $((wasm_raw / 1024)) $((wasm_gz / 1024)) $((total_gz / 1024))

say "Browser tests (e2e/, headless chromium against dist/)"
(cd e2e && node run.mjs)

say "All checks passed"
