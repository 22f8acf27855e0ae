import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PROTOS_DIR, OPERATIONS_PROTO, ERROR_DETAILS_PROTO } from '../../src/proto/protos-dir';

// protos/ holds unmodified copies of google-proto-files' .proto files: an upgrade of the
// package that changes any of them must fail here, so the change is seen and copied on purpose.

const UPSTREAM = path.dirname(require.resolve('google-proto-files/package.json'));

function protoFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return protoFiles(full, base);
    return entry.endsWith('.proto') ? [path.relative(base, full).split(path.sep).join('/')] : [];
  });
}

const files = protoFiles(PROTOS_DIR).sort();

test('protos/ holds the files the client loads and their imports', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      OPERATIONS_PROTO,
      ERROR_DETAILS_PROTO,
      'google/rpc/status.proto',
      'google/api/annotations.proto',
      'google/api/http.proto',
      'google/api/client.proto',
      'google/api/field_behavior.proto',
    ]),
  );
});

test('every import of a pinned file is pinned too (or a google/protobuf well-known type)', () => {
  for (const file of files) {
    const text = readFileSync(path.join(PROTOS_DIR, file), 'utf8');
    for (const [, imported] of text.matchAll(/^import\s+(?:public\s+)?"([^"]+)";/gm)) {
      if (imported!.startsWith('google/protobuf/')) continue;
      expect({ file, imported, pinned: files.includes(imported!) }).toEqual({ file, imported, pinned: true });
    }
  }
});

test.each(files)('%s is byte-identical to google-proto-files', (file) => {
  const ours = readFileSync(path.join(PROTOS_DIR, file));
  const theirs = readFileSync(path.join(UPSTREAM, file));
  expect(ours.length).toBeGreaterThan(0);
  expect(ours.equals(theirs)).toBe(true);
});
