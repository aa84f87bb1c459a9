# Shared by scripts/serve.sh and scripts/test.sh: install what is missing, idempotently.
# Everything lands inside the repo (.tools/, tools/node_modules, e2e/node_modules), except the
# wasm32 rustup target and, for the browser tests, Debian's chromium.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
# Lesson manifests are validated with this PyPI package (it ships the schemas; no network at run time).
KUBERNETES_VALIDATE_VERSION=1.37.0

export PATH="$ROOT/.tools/bin:$ROOT/tools/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# `sudo` when not root (and only then).
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# The wasm-bindgen version Cargo.lock resolved.
lock_wasm_bindgen_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

# Trunk.toml must pin the same wasm-bindgen as Cargo.lock, or trunk tries to download one.
check_trunk_pins() {
  local lock trunk opt
  lock="$(lock_wasm_bindgen_version)"
  [[ -n $lock ]] || die "no wasm-bindgen in Cargo.lock"
  trunk="$(sed -n 's/^wasm_bindgen *= *"\(.*\)".*/\1/p' Trunk.toml)"
  opt="$(sed -n 's/^wasm_opt *= *"\(.*\)".*/\1/p' Trunk.toml)"
  [[ $trunk == "$lock" ]] ||
    die "Trunk.toml [tools] wasm_bindgen = \"$trunk\" but Cargo.lock has wasm-bindgen $lock: set wasm_bindgen = \"$lock\" in Trunk.toml"
  [[ $opt == "version_$BINARYEN_VERSION" ]] ||
    die "Trunk.toml [tools] wasm_opt = \"$opt\" but tools/ installs binaryen $BINARYEN_VERSION: set wasm_opt = \"version_$BINARYEN_VERSION\""
  WASM_BINDGEN_VERSION="$lock"
}

# cargo install CRATE at VERSION into .tools, unless .tools/bin/BIN --version already says VERSION.
install_cargo_tool() {
  local bin="$1" crate="$2" version="$3"
  shift 3
  local have
  have="$("$ROOT/.tools/bin/$bin" --version 2>/dev/null | head -n1 || true)"
  if [[ $have == "$bin $version" || $have == "$bin $version "* ]]; then
    note "$bin $version: installed"
    return
  fi
  command -v cc >/dev/null || apt_install build-essential
  note "installing $crate $version into .tools (several minutes, once)"
  cargo install --root "$ROOT/.tools" "$crate" --version "$version" "$@"
}

# npm ci in DIR unless its node_modules were installed from this very package-lock.json.
npm_ci_once() {
  local dir="$1" stamp="$1/node_modules/.kubeplay-lock"
  if [[ -f $stamp ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
    note "$dir/node_modules: installed"
    return
  fi
  note "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$dir/package-lock.json" "$stamp"
}

# What both scripts need to build the app: the wasm32 target, trunk, wasm-bindgen, wasm-opt.
ensure_build_tools() {
  say "Checking build tools"
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
  command -v npm >/dev/null || die "npm not found: install node and npm (e.g. apt-get install -y nodejs npm)"
  check_trunk_pins
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    note "rust target wasm32-unknown-unknown: installed"
  else
    rustup target add wasm32-unknown-unknown
  fi
  install_cargo_tool trunk trunk "$TRUNK_VERSION" --locked
  # Not --locked: its lock file wants a webpki-roots release the registry lacks.
  install_cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
  npm_ci_once tools
  wasm-opt --version | grep -q "version $BINARYEN_VERSION" || die "wasm-opt on PATH is not binaryen $BINARYEN_VERSION"
}

# A repo-local venv (.venv-validate/) holding kubernetes-validate at KUBERNETES_VALIDATE_VERSION.
ensure_kubernetes_validate() {
  local venv="$ROOT/.venv-validate" have
  have="$("$venv/bin/kubernetes-validate" --version 2>/dev/null || true)"
  if [[ $have == "$KUBERNETES_VALIDATE_VERSION" ]]; then
    note "kubernetes-validate $KUBERNETES_VALIDATE_VERSION: installed"
    return
  fi
  command -v python3 >/dev/null || apt_install python3
  if [[ ! -x $venv/bin/pip ]]; then
    rm -rf "$venv"
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
  fi
  note "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into .venv-validate"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
}
