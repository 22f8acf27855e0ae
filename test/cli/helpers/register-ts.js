'use strict';
// Lets a child process run the CLI straight from src/ (`node --require this src/cli/main.ts`)
// when dist/ is missing or older than the sources: compiles each .ts file with @swc/core
// (already installed for jest) as it is required. Plain JS so plain node can preload it.
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

Module._extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { target: 'es2023', parser: { syntax: 'typescript' } },
  });
  module._compile(code, filename);
};
