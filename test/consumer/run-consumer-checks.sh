#!/usr/bin/env bash
# The package as a consumer meets it: everything here runs against the packed tarball (or a git
# install), never against src/. Run from the repository, with its own `npm ci` done (for tsc,
# attw and publint) and Node >= 22 first on PATH (`npm run check:consumer` sees to that):
#
#   1. npm pack (prepare builds dist/ afresh); print size and file count; check what it holds.
#   2. Install the tarball alone into a fresh project; print the install footprint; fail past 45 MB.
#   3. Run an ES module and a CommonJS consumer there (emulator, cancel, outcome, one module state).
#   4. Compile a TypeScript consumer (strict, skipLibCheck: false) under nodenext, node16 and
#      bundler, with @ts-expect-error on misuse; every shipped .d.ts too (nodenext).
#   5. @arethetypeswrong/cli and publint on the tarball.
#   6. The ES module and CommonJS consumers again under Node 24 (skipped when the registry has no
#      Node 24 package for this machine).
#   7. A git install of HEAD (prepare builds dist/ in npm's clone); the CLI from it: `services`,
#      and a cancel against its own emulator.
# Ends with one summary line; exits non-zero on the first failure.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/test/consumer"
bin="$repo/node_modules/.bin"
guard="$repo/test/helpers/loopback-only-guard.js"
max_footprint_kb=$((45 * 1024))

work="$(mktemp -d "${TMPDIR:-/tmp}/lro-cancel-consumer.XXXXXX")"
emulator_pid=""
git_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  if [ -n "$git_pid" ]; then kill "$git_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that cleanup runs when CI's timeout stops this

# Consumers talk to their own emulator on loopback only: no credentials, no metadata server.
export METADATA_SERVER_DETECTION=none
unset LRO_CANCEL_EMULATOR_HOST GOOGLE_APPLICATION_CREDENTIALS || true
npm_install=(npm install --no-audit --no-fund --prefer-offline --loglevel=error)
started=$SECONDS
phase() { printf -- '-- %s (%ss)\n' "$*" "$((SECONDS - started))"; }
fail() {
  echo "consumer check FAILED: $*" >&2
  exit 1
}

# 7 starts first, in the background: it is the slowest part (npm installs the repository's
# devDependencies in its clone to run prepare) and needs nothing from the steps before it.
git_log="$work/git-install.log"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  head_commit="$(git -C "$repo" rev-parse HEAD)"
  if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    echo "note: the git install takes HEAD ($head_commit); uncommitted changes are not in it"
  fi
  mkdir -p "$work/git-app"
  printf '{ "name": "git-consumer", "version": "1.0.0", "private": true }\n' >"$work/git-app/package.json"
  (cd "$work/git-app" && "${npm_install[@]}" "git+file://$repo#$head_commit") >"$git_log" 2>&1 &
  git_pid=$!
fi

phase "1. npm pack"
pack_json="$work/pack.json"
(cd "$repo" && npm pack --json --pack-destination "$work" 2>"$work/pack.log") >"$pack_json" ||
  fail "npm pack: $(cat "$work/pack.log" "$pack_json")"
read -r tarball size_bytes file_count < <(node -e '
  const [p] = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(p.filename, p.size, p.entryCount);' "$pack_json")
tarball="$work/$tarball"
echo "tarball: $(basename "$tarball"), $((size_bytes / 1024)) kB, $file_count files"
# What it must hold, and what it must not (source maps, the demo, tests, sources).
node -e '
  const [p] = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const files = p.files.map((f) => f.path);
  const must = ["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/emulator/index.js",
    "dist/emulator/index.d.ts", "dist/cli/main.js", "dist/records.schema.json", "protos/google/longrunning/operations.proto", "protos/google/rpc/error_details.proto"];
  const missing = must.filter((f) => !files.includes(f));
  const unwanted = files.filter((f) => /\.map$|^dist\/demo\/|^src\/|^test\/|^\.ci\/|\.tsbuildinfo$/.test(f));
  if (missing.length || unwanted.length) {
    console.error("missing:", missing, "unwanted:", unwanted);
    process.exit(1);
  }' "$pack_json" || fail "the tarball does not hold what it should"

phase "2. install the tarball into a fresh project"
app="$work/app"
mkdir -p "$app"
printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' >"$app/package.json"
(cd "$app" && "${npm_install[@]}" "$tarball") >"$work/install.log" 2>&1 || fail "npm install of the tarball: $(cat "$work/install.log")"
footprint_kb="$(du -sk "$app/node_modules" | cut -f1)"
footprint="$(du -sh "$app/node_modules" | cut -f1)"
echo "install footprint: $footprint (du -sh node_modules; limit 45 MB)"
[ "$footprint_kb" -le "$max_footprint_kb" ] || fail "install footprint ${footprint_kb} kB is past the 45 MB limit"
cp "$here/app/"* "$app/"

phase "3. ES module and CommonJS consumers (node $(node -v))"
(cd "$app" && node --require "$guard" esm-consumer.mjs) || fail "esm-consumer.mjs"
(cd "$app" && node --require "$guard" cjs-consumer.cjs) || fail "cjs-consumer.cjs"

phase "4. TypeScript consumer: strict, skipLibCheck false"
# A consumer brings its own @types/node; this one borrows the repository's.
mkdir -p "$app/node_modules/@types"
ln -s "$repo/node_modules/@types/node" "$app/node_modules/@types/node"
# Three separate programs (a program has one module setting): run side by side.
configs=(nodenext node16 bundler)
tsc_pids=()
for config in "${configs[@]}"; do
  (cd "$app" && node "$repo/node_modules/typescript/bin/tsc" -p "tsconfig.$config.json") >"$work/tsc-$config.log" 2>&1 &
  tsc_pids+=($!)
done
for i in "${!configs[@]}"; do
  config="${configs[$i]}"
  wait "${tsc_pids[$i]}" || fail "tsc -p tsconfig.$config.json: $(cat "$work/tsc-$config.log")"
  echo "tsc $config: ok"
done

phase "5. attw and publint on the tarball"
# The record schema is a JSON file for tools (ajv, editors), not a module: node10 resolution of a
# package subpath cannot find it, and has no types to find. The CJS consumer requires it under Node >= 22.
"$bin/attw" --format ascii --no-color --exclude-entrypoints ./records.schema.json -- "$tarball" || fail "attw"
"$bin/publint" run --strict "$tarball" || fail "publint"

phase "6. the consumers under Node 24"
node24_dir="${LRO_CANCEL_NODE24_DIR:-${TMPDIR:-/tmp}/lro-cancel-node24}"
if pkg="$(sh "$repo/.ci/node-package.sh" 2>/dev/null)"; then
  node24="$node24_dir/node_modules/$pkg/bin/node"
  if [ ! -x "$node24" ]; then
    "${npm_install[@]}" --no-save --prefix "$node24_dir" "$pkg@24" >"$work/node24.log" 2>&1 || true
  fi
  if "$node24" -v >/dev/null 2>&1; then
    (cd "$app" && "$node24" --require "$guard" esm-consumer.mjs) || fail "esm-consumer.mjs under Node 24"
    (cd "$app" && "$node24" --require "$guard" cjs-consumer.cjs) || fail "cjs-consumer.cjs under Node 24"
  else
    echo "skipped: no working $pkg@24 from the registry ($(tail -n 1 "$work/node24.log" 2>/dev/null))"
  fi
else
  echo "skipped: no Node package on the registry for this machine"
fi

phase "7. git install of HEAD, and its CLI"
if [ -z "$git_pid" ]; then
  echo "skipped: $repo is not a git checkout"
else
  wait "$git_pid" || fail "npm install git+file://$repo: $(cat "$git_log")"
  git_pid=""
  cli="$work/git-app/node_modules/.bin/lro-cancel"
  [ -f "$work/git-app/node_modules/lro-cancel/dist/cli/main.js" ] || fail "the git install has no dist/ (prepare did not run): $(cat "$git_log")"
  export NODE_OPTIONS="--require $guard"
  "$cli" services | grep -q '^datastore ' || fail "lro-cancel services"
  echo "lro-cancel services: ok"
  "$cli" emulator --seed 1 >"$work/emulator.out" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 1 150); do
    grep -q '^  //' "$work/emulator.out" && break
    sleep 0.1
  done
  address="$(sed -n 's/^export LRO_CANCEL_EMULATOR_HOST=//p' "$work/emulator.out")"
  name="$(sed -n 's/^  \(\/\/.*\)$/\1/p' "$work/emulator.out" | head -n 1)"
  [ -n "$address" ] && [ -n "$name" ] || fail "lro-cancel emulator did not start: $(cat "$work/emulator.out")"
  record="$("$cli" cancel --emulator "$address" "$name")" || fail "lro-cancel cancel exited non-zero: $record"
  echo "$record" | grep -q '"outcome":"cancel-requested"' || fail "lro-cancel cancel: $record"
  echo "lro-cancel cancel against its emulator: $record"
  kill "$emulator_pid"
  wait "$emulator_pid" 2>/dev/null || true
  emulator_pid=""
  unset NODE_OPTIONS
fi

echo "consumer check: ok in $((SECONDS - started))s — tarball $((size_bytes / 1024)) kB, $file_count files; install footprint $footprint"
