// Property-based tests (fast-check) of the operation-name parser and the routing-header
// encoder: whatever string comes in, the only failure is an OperationsError 'invalid-name'
// with a one-line message, nothing is sent for it, a valid name round-trips, and the
// x-goog-request-params value is plain visible ASCII that decodes back to the name.
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  Code,
  createCanceller,
  OperationsError,
  parseOperationName,
  serviceIds,
  services,
  type ServiceDescriptor,
} from '../../src';
import { matchesPattern, type NameKind } from '../../src/registry/operation-name';
import { routingParams } from '../../src/transport/operations-stub';
import { useEmulator } from '../helpers/emulator';

const RUNS = 1000;

// Characters that break names: separators, whitespace of every kind, C0/C1 controls, the
// replacement character, lone surrogates (ill-formed UTF-16), and URL/header syntax.
const NASTY = [
  '/',
  '//',
  ' ',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udfff',
  '\udbff\udfff',
  '%',
  '%2F',
  '%0d%0a',
  '*',
  '**',
  ':',
  ';',
  ',',
  '&',
  '=',
  '?',
  '#',
  '"',
  "'",
  '\\',
  '..',
  '.',
  'é',
  '日本',
  '😀',
];
const nastyChar = fc.constantFrom(...NASTY);
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)); // lone surrogates included
const hostileString = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('a', 'p', '1', '-', '_') },
    { weight: 2, arbitrary: nastyChar },
    anyCodePoint,
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 80,
});

// A segment as the parser accepts it: anything but '/', whitespace, controls, U+FFFD, ill-formed UTF-16.
const SEGMENT_FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd/\ud800-\udfff]/u;
const segment = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(
        'a',
        'z',
        '0',
        '-',
        '_',
        '.',
        '~',
        '%',
        '*',
        ':',
        '@',
        '+',
        '=',
        '&',
        '?',
        '#',
        'é',
        '😀',
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 24,
  })
  .filter((s) => !SEGMENT_FORBIDDEN.test(s));

/** A name for `pattern` (`*` one segment; `**` one or more, at the start: custom services). */
function nameFor(pattern: string): fc.Arbitrary<string> {
  const parts = pattern.split('/');
  return fc
    .tuple(
      ...parts.map((p) =>
        p === '*'
          ? segment
          : p === '**'
            ? fc.array(segment, { minLength: 1, maxLength: 4 }).map((a) => a.join('/'))
            : fc.constant(p),
      ),
    )
    .map((xs) => xs.join('/'));
}

const KINDS: NameKind[] = ['cancel', 'get', 'list-parent'];
const patternsOf = (s: ServiceDescriptor, kind: NameKind): readonly string[] =>
  kind === 'cancel' ? s.cancelPatterns : kind === 'get' ? s.getPatterns : s.listParentPatterns;

/** Every (service, kind, pattern) of the registry. */
const REGISTRY_PATTERNS = serviceIds.flatMap((id) =>
  KINDS.flatMap((kind) => patternsOf(services[id]!, kind).map((pattern) => ({ id, kind, pattern }))),
);

const validName = fc
  .constantFrom(...REGISTRY_PATTERNS)
  .chain(({ id, kind, pattern }) => nameFor(pattern).map((name) => ({ id, kind, name })));

/** The name as given to the parser: relative + service id, relative + host, or a //host full name. */
const SERVICE_ARGS: Array<string | undefined> = [
  undefined,
  ...serviceIds,
  ...serviceIds.map((id) => services[id]!.host),
  'custom.example.com',
  'Not A Service',
];

/** A DNS host that is no built-in service's (nor the one allowed below). */
const customHost = fc
  .domain()
  .filter(
    (d) =>
      !serviceIds.some((id) => services[id]!.host === d.toLowerCase()) &&
      d.toLowerCase() !== 'allowed.example.com',
  );

function expectInvalidName(e: unknown): OperationsError {
  if (!(e instanceof OperationsError))
    throw new Error(`threw something else than an OperationsError: ${String(e)}`);
  expect(e.outcome).toBe('invalid-name');
  expect(e.code).toBe(Code.INVALID_ARGUMENT);
  expect(e.attempts).toBe(0);
  // One clear line: the bad name is quoted (escaped), never printed raw.
  expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  // Bounded: the quoted name, the expected patterns (discoveryengine's Get has 13) and suggested
  // full names (about 600 characters of them at most).
  expect(e.message.length).toBeLessThan(1800);
  return e;
}

describe('parseOperationName', () => {
  test('arbitrary strings, any service argument, any kind: a result or an invalid-name OperationsError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileString,
          validName.map((v) => v.name),
          fc
            .tuple(validName, fc.nat(), nastyChar)
            .map(
              ([v, at, c]) =>
                v.name.slice(0, at % (v.name.length + 1)) + c + v.name.slice(at % (v.name.length + 1)),
            ),
        ),
        fc.constantFrom(...SERVICE_ARGS),
        fc.constantFrom(...KINDS),
        (input, service, kind) => {
          let parsed: ReturnType<typeof parseOperationName>;
          try {
            parsed = parseOperationName(input, { ...(service === undefined ? {} : { service }), kind });
          } catch (e) {
            expectInvalidName(e);
            return;
          }
          // Accepted: well-formed, no whitespace or control characters, within the limit, and the
          // routing header can be built from it.
          expect(parsed.name.length).toBeGreaterThan(0);
          expect(parsed.name.length).toBeLessThanOrEqual(1024);
          expect(SEGMENT_FORBIDDEN.test(parsed.name.replace(/\//g, ''))).toBe(false);
          expect(decodeURIComponent(routingParams('name', parsed.name).slice('name='.length))).toBe(
            parsed.name,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('any string as the service (id or host, hostile or not): a result or an invalid-name OperationsError, nothing else', () => {
    const serviceArg = fc.oneof(
      hostileString,
      fc.domain(),
      fc.tuple(fc.domain(), nastyChar, fc.domain()).map(([a, c, d]) => a + c + d),
      fc.constantFrom(...serviceIds),
    );
    fc.assert(
      fc.property(serviceArg, validName, (service, { name }) => {
        try {
          parseOperationName(name, { service });
        } catch (e) {
          expectInvalidName(e);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('a non-string input is an invalid-name error too', () => {
    fc.assert(
      // Including values String() itself throws on.
      fc.property(
        fc.oneof(
          fc.anything().filter((x) => typeof x !== 'string'),
          fc.constantFrom<unknown>(
            Object.create(null),
            { toString: 0 },
            {
              toString: () => {
                throw new Error('boom');
              },
            },
            Symbol('s'),
            1n,
          ),
        ),
        (input) => {
          try {
            parseOperationName(input as string, 'datastore');
          } catch (e) {
            expectInvalidName(e);
            return;
          }
          throw new Error(`accepted ${String(input)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('every registry pattern: generated names round-trip as relative + id, relative + host, and //host full names', () => {
    fc.assert(
      fc.property(validName, ({ id, kind, name }) => {
        const service = services[id]!;
        for (const given of [{ service: id }, { service: service.host }, {}] as const) {
          const input = 'service' in given ? name : `//${service.host}/${name}`;
          const parsed = parseOperationName(input, { ...given, kind });
          expect(parsed.name).toBe(name);
          expect(parsed.service.id).toBe(id);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('a custom service host in serviceHosts accepts any .../operations/<id> and round-trips it', () => {
    fc.assert(
      fc.property(customHost, nameFor('**/operations/*'), (host, name) => {
        const parsed = parseOperationName(`//${host}/${name}`, { serviceHosts: [host] });
        expect(parsed.name).toBe(name);
        expect(parsed.service).toMatchObject({ host: host.toLowerCase(), custom: true });
        expect(parseOperationName(name, host).name).toBe(name);
      }),
      { numRuns: 500 },
    );
  });

  test('a full name on any host that is not built in nor allowed is invalid-name naming --service-host, whatever service is given', () => {
    fc.assert(
      fc.property(
        customHost,
        nameFor('**/operations/*'),
        fc.constantFrom(...SERVICE_ARGS.filter((a) => a !== 'Not A Service')),
        fc.constantFrom(...KINDS),
        (host, name, service, kind) => {
          const given = service?.toLowerCase() === host.toLowerCase() ? undefined : service; // that one would allow it
          let error: unknown;
          try {
            parseOperationName(`//${host}/${name}`, {
              ...(given === undefined ? {} : { service: given }),
              kind,
              serviceHosts: ['allowed.example.com'],
            });
          } catch (e) {
            error = e;
          }
          expect(expectInvalidName(error).message).toContain(`pass --service-host ${host.toLowerCase()}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** The `//host/...` full names a message suggests: its JSON-quoted strings that start with `//`. */
function suggestionsIn(message: string): string[] {
  return (message.match(/"(?:[^"\\]|\\.)*"/g) ?? [])
    .map((q) => JSON.parse(q) as string)
    .filter((t) => t.startsWith('//'));
}

/** A valid name written the ways people get it wrong: no service, a REST URL, `host/name`, a leading "/", padding, a wrong host. */
const mistypedName = validName.chain(({ id, kind, name }) => {
  const host = services[id]!.host;
  return fc.constantFrom(
    name,
    `https://${host}/${services[id]!.apiVersion}/${name}`,
    `https://${host.toUpperCase()}:443/v1/${name}${kind === 'list-parent' ? '/operations' : ':cancel'}?alt=json`,
    `${host}/${name}`,
    `/${name}`,
    ` ${name}\n`,
    ...serviceIds.map((other) => `//${services[other]!.host}/${name}`),
  );
});

describe('hints in invalid-name messages', () => {
  test('every full name a message suggests parses, with the same options, as a name of the service it names', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          mistypedName,
          hostileString,
          validName.map((v) => v.name),
        ),
        fc.constantFrom(...SERVICE_ARGS.filter((a) => a !== 'Not A Service')),
        fc.constantFrom(...KINDS),
        fc.constantFrom<{ serviceHosts?: string[]; universeDomain?: string }>(
          {},
          { serviceHosts: ['allowed.example.com'] },
          { universeDomain: 'example-universe.com' },
        ),
        (input, service, kind, extra) => {
          const opts = { ...(service === undefined ? {} : { service }), kind, ...extra };
          let error: unknown;
          try {
            parseOperationName(input, opts);
            return;
          } catch (e) {
            error = e;
          }
          const message = expectInvalidName(error).rawMessage;
          for (const suggestion of suggestionsIn(message)) {
            const slash = suggestion.indexOf('/', 2);
            const parsed = parseOperationName(suggestion, opts);
            expect(parsed.service.host).toBe(suggestion.slice(2, slash).toLowerCase());
            expect(`//${suggestion.slice(2, slash)}/${parsed.name}`).toBe(suggestion);
            checked++;
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
    // The mistyped names above have fixes: a run that suggested nothing would prove nothing.
    expect(checked).toBeGreaterThan(RUNS / 2);
  });

  test('a relative name without a service: every built-in service that takes it is named, and only those', () => {
    fc.assert(
      fc.property(validName, ({ kind, name }) => {
        let error: unknown;
        try {
          parseOperationName(name, { kind });
        } catch (e) {
          error = e;
        }
        const message = expectInvalidName(error).rawMessage;
        const taking = serviceIds.filter((id) =>
          patternsOf(services[id]!, kind).some((p) => matchesPattern(name, p)),
        );
        expect(taking.length).toBeGreaterThan(0);
        // "<ids> take(s) this name: use the full name ... or pass --service ..."
        const named = /^no service given; (.+?) takes? this (?:name|parent):/.exec(message)?.[1];
        expect(named?.split(/, | and /)).toEqual(taking);
        expect(suggestionsIn(message)[0]).toBe(`//${services[taking[0]!]!.host}/${name}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('routingParams (x-goog-request-params)', () => {
  test('for every well-formed string: visible ASCII only (no CR, LF, space or control), one parameter, decodes back', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: nastyChar.filter((c) => !/[\ud800-\udfff]/u.test(c)), maxLength: 40 }),
          validName.map((v) => v.name),
        ),
        (value) => {
          const header = routingParams('name', value);
          expect(header).toMatch(/^name=[A-Za-z0-9\-_.!~*'()%]*$/);
          expect(header.split('&')).toHaveLength(1);
          expect(header.split('=')).toHaveLength(2);
          expect(decodeURIComponent(header.slice('name='.length))).toBe(value);
          // grpc-js accepts it as a header value (it rejects anything but printable ASCII).
          expect(() => new grpc.Metadata().set('x-goog-request-params', header)).not.toThrow();
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('no RPC for a name that does not parse (real gRPC)', () => {
  const emu = useEmulator();

  test('arbitrary strings through the canceller: invalid-name with attempts 0 and no call, or exactly one call carrying the name', async () => {
    const e = emu.get();
    const c = createCanceller({ emulator: e.target, service: 'datastore', retry: { maxAttempts: 1 } });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            hostileString,
            fc
              .tuple(nameFor('projects/*/operations/*'), fc.nat(), nastyChar)
              .map(([n, at, ch]) => n.slice(0, at % (n.length + 1)) + ch + n.slice(at % (n.length + 1))),
            nameFor('projects/*/operations/*'),
          ),
          async (input) => {
            let expected: string | undefined;
            try {
              expected = parseOperationName(input, 'datastore').name;
            } catch {
              expected = undefined;
            }
            const before = e.calls.length;
            let error: unknown;
            try {
              await c.cancel(input);
            } catch (err) {
              error = err;
            }
            const sent = e.calls.slice(before);
            if (expected === undefined) {
              expectInvalidName(error);
              expect(sent).toHaveLength(0);
            } else {
              // Valid but unknown to the emulator: one call, NOT_FOUND, carrying exactly that name.
              expect(error).toMatchObject({ outcome: 'not-found', attempts: 1 });
              expect(sent).toHaveLength(1);
              expect(sent[0]!.name).toBe(expected);
              expect(sent[0]!.requestParams).toBe(`name=${encodeURIComponent(expected)}`);
            }
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      await c.close();
    }
    // Nothing with a control character ever reached the server's metadata.
    for (const call of e.calls) expect(call.requestParams).toMatch(/^name=[A-Za-z0-9\-_.!~*'()%]*$/);
  }, 30_000);
});
