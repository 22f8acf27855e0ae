import * as grpc from '@grpc/grpc-js';
import { Code, codeName, OperationsError } from '../../src';
import { outcomeForCode } from '../../src/errors/operations-error';
import { parseCode } from '../../src/errors/status-code';
import {
  MAX_RETRY_INFO_DELAY_MS,
  retryInfoDelayMs,
  translateGrpcError,
} from '../../src/errors/translate-grpc-error';
import { decodeStatus, durationToMs, encodeStatus, type DetailInput } from '../../src/proto/status-codec';

function serviceError(code: number, details: string, trailer?: Buffer | Buffer[]): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  for (const t of trailer === undefined ? [] : Array.isArray(trailer) ? trailer : [trailer])
    metadata.add('grpc-status-details-bin', t);
  return Object.assign(new Error(`${code} ${codeName(code)}: ${details}`), {
    code,
    details,
    metadata,
  }) as grpc.ServiceError;
}

const ALL_DETAILS: DetailInput[] = [
  {
    type: 'google.rpc.ErrorInfo',
    fields: {
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: { service: 'dataplex.googleapis.com' },
    },
  },
  { type: 'google.rpc.RetryInfo', fields: { retryDelay: { seconds: 2, nanos: 500_000_000 } } },
  {
    type: 'google.rpc.QuotaFailure',
    fields: { violations: [{ subject: 'project:p', description: 'too many cancels' }] },
  },
  {
    type: 'google.rpc.BadRequest',
    fields: { fieldViolations: [{ field: 'name', description: 'bad shape' }] },
  },
  {
    type: 'google.rpc.Help',
    fields: { links: [{ description: 'docs', url: 'https://cloud.google.com/docs' }] },
  },
  { type: 'google.rpc.LocalizedMessage', fields: { locale: 'en-US', message: 'Slow down' } },
  { type: 'google.rpc.DebugInfo', fields: { stackEntries: ['a.go:1'], detail: 'debug' } },
];

describe('outcome and code names', () => {
  test.each<[number, string]>([
    [Code.UNIMPLEMENTED, 'unsupported'],
    [Code.NOT_FOUND, 'not-found'],
    [Code.PERMISSION_DENIED, 'denied'],
    [Code.UNAUTHENTICATED, 'denied'],
    [Code.INVALID_ARGUMENT, 'invalid-name'],
    [Code.INTERNAL, 'error'],
    [Code.UNAVAILABLE, 'error'],
    [Code.DEADLINE_EXCEEDED, 'error'],
    [Code.RESOURCE_EXHAUSTED, 'error'],
    [Code.FAILED_PRECONDITION, 'error'],
    [Code.CANCELLED, 'error'],
    [Code.UNKNOWN, 'error'],
  ])('code %i -> %s', (code, outcome) => {
    expect(outcomeForCode(code)).toBe(outcome);
    expect(new OperationsError(code, 'm').outcome).toBe(outcome);
  });

  test('codeName and parseCode agree for every code, and unknown numbers become UNKNOWN', () => {
    for (const [name, n] of Object.entries(Code)) {
      expect(codeName(n)).toBe(name);
      expect(parseCode(name)).toBe(n);
      expect(parseCode(name.toLowerCase())).toBe(n);
      expect(parseCode(String(n))).toBe(n);
    }
    expect(codeName(99)).toBe('UNKNOWN');
    expect(parseCode('17')).toBeUndefined();
    expect(parseCode('NOPE')).toBeUndefined();
  });

  test("the numbers match grpc-js's own status enum", () => {
    for (const [name, n] of Object.entries(Code))
      expect((grpc.status as unknown as Record<string, number>)[name]).toBe(n);
  });
});

describe('OperationsError', () => {
  test('carries code, codeName, rawMessage, outcome, name, service, attempts and a prefixed message', () => {
    const cause = new Error('low level');
    const err = new OperationsError(Code.NOT_FOUND, 'no such op', {
      operationName: 'projects/p/locations/l/operations/o',
      service: 'dataplex',
      attempts: 2,
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('OperationsError');
    expect(err.message).toBe('[NOT_FOUND] projects/p/locations/l/operations/o: no such op');
    expect(err).toMatchObject({
      code: 5,
      codeName: 'NOT_FOUND',
      rawMessage: 'no such op',
      outcome: 'not-found',
      operationName: 'projects/p/locations/l/operations/o',
      service: 'dataplex',
      attempts: 2,
      details: [],
    });
    expect(err.cause).toBe(cause);
  });

  test('an explicit outcome overrides the one derived from the code', () => {
    expect(new OperationsError(Code.CANCELLED, 'stop', { outcome: 'aborted' }).outcome).toBe('aborted');
  });

  test('instanceof is structural (an error from another copy of the package is recognised), and rejects look-alikes', () => {
    const foreign = Object.assign(new Error('x'), { name: 'OperationsError', code: 5, outcome: 'not-found' });
    expect(foreign instanceof OperationsError).toBe(true);
    expect(new Error('x') instanceof OperationsError).toBe(false);
    expect(
      Object.assign(new Error('x'), { name: 'OperationsError', code: '5', outcome: 'x' }) instanceof
        OperationsError,
    ).toBe(false);
    expect((null as unknown) instanceof OperationsError).toBe(false);
  });
});

describe('translateGrpcError', () => {
  test('a grpc-js status error keeps code, message and context; no trailer means no details', () => {
    const raw = serviceError(Code.PERMISSION_DENIED, 'The caller does not have permission');
    const err = translateGrpcError(raw, {
      operationName: 'projects/p/operations/o',
      service: 'datastore',
      attempts: 3,
    });
    expect(err).toBeInstanceOf(OperationsError);
    expect(err).toMatchObject({
      code: Code.PERMISSION_DENIED,
      codeName: 'PERMISSION_DENIED',
      rawMessage: 'The caller does not have permission',
      outcome: 'denied',
      operationName: 'projects/p/operations/o',
      service: 'datastore',
      attempts: 3,
      details: [],
    });
    expect(err.cause).toBe(raw);
  });

  test('an empty server message is replaced by a placeholder', () => {
    expect(translateGrpcError(serviceError(Code.INTERNAL, '')).rawMessage).toBe('no message from server');
  });

  test('decodes all seven google.rpc detail types from grpc-status-details-bin', () => {
    const trailer = encodeStatus(Code.RESOURCE_EXHAUSTED, 'Quota exceeded', ALL_DETAILS);
    const err = translateGrpcError(serviceError(Code.RESOURCE_EXHAUSTED, 'Quota exceeded', trailer));
    expect(err.details.map((d) => d['@type'])).toEqual(
      ALL_DETAILS.map((d) => `type.googleapis.com/${d.type}`),
    );
    expect(err.findDetail('google.rpc.ErrorInfo')).toMatchObject({
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: { service: 'dataplex.googleapis.com' },
    });
    expect(err.findDetail('google.rpc.RetryInfo')).toMatchObject({
      retryDelay: { seconds: '2', nanos: 500_000_000 },
    });
    expect(err.findDetail('google.rpc.QuotaFailure')).toMatchObject({
      violations: [{ subject: 'project:p', description: 'too many cancels' }],
    });
    expect(err.findDetail('google.rpc.BadRequest')).toMatchObject({
      fieldViolations: [{ field: 'name', description: 'bad shape' }],
    });
    expect(err.findDetail('google.rpc.Help')).toMatchObject({
      links: [{ description: 'docs', url: 'https://cloud.google.com/docs' }],
    });
    expect(err.findDetail('google.rpc.LocalizedMessage')).toMatchObject({
      locale: 'en-US',
      message: 'Slow down',
    });
    expect(err.findDetail('google.rpc.DebugInfo')).toMatchObject({
      stackEntries: ['a.go:1'],
      detail: 'debug',
    });
    expect(err.findDetail('google.rpc.PreconditionFailure')).toBeUndefined();
    expect(retryInfoDelayMs(err)).toBe(2500);
  });

  test('encodeStatus and decodeStatus round-trip code, message and typed details', () => {
    const decoded = decodeStatus(encodeStatus(Code.UNAVAILABLE, 'down', [ALL_DETAILS[1]!]));
    expect(decoded.code).toBe(Code.UNAVAILABLE);
    expect(decoded.message).toBe('down');
    expect(decoded.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: { seconds: '2', nanos: 500_000_000 },
      },
    ]);
  });

  test('a malformed trailer is ignored, the status itself survives', () => {
    const err = translateGrpcError(
      serviceError(Code.UNAVAILABLE, 'down', Buffer.from([0xff, 0xff, 0xff, 0x01])),
    );
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.rawMessage).toBe('down');
    expect(err.details).toEqual([]);
  });

  test('an unknown detail type keeps its bytes as base64', () => {
    const status = decodeStatus(
      // google.rpc.Status{code:2, details:[Any{type_url:"type.googleapis.com/acme.Foo", value:0x01 0x02}]}
      Buffer.concat([
        Buffer.from([0x08, 0x02, 0x1a, 0x22, 0x0a, 0x1c]),
        Buffer.from('type.googleapis.com/acme.Foo'),
        Buffer.from([0x12, 0x02, 0x01, 0x02]),
      ]),
    );
    expect(status.details).toEqual([
      { '@type': 'type.googleapis.com/acme.Foo', value: Buffer.from([1, 2]).toString('base64') },
    ]);
  });

  test.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
  ])('a socket error %s (even nested in cause) becomes UNAVAILABLE', (code) => {
    const socket = Object.assign(new Error(`connect ${code}`), { code });
    expect(translateGrpcError(socket).code).toBe(Code.UNAVAILABLE);
    const wrapped = new Error('outer', { cause: new Error('middle', { cause: socket }) });
    const err = translateGrpcError(wrapped, { attempts: 1 });
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.rawMessage).toContain(code);
    expect(err.attempts).toBe(1);
  });

  test('anything else becomes UNKNOWN with its message', () => {
    expect(translateGrpcError(new TypeError('boom'))).toMatchObject({
      code: Code.UNKNOWN,
      rawMessage: 'boom',
      outcome: 'error',
    });
    expect(translateGrpcError('plain string')).toMatchObject({
      code: Code.UNKNOWN,
      rawMessage: 'plain string',
    });
    expect(translateGrpcError(undefined).code).toBe(Code.UNKNOWN);
  });

  test('an OperationsError passes through unchanged', () => {
    const e = new OperationsError(Code.NOT_FOUND, 'x');
    expect(translateGrpcError(e)).toBe(e);
  });
});

describe('retryInfoDelayMs and durationToMs', () => {
  test('no RetryInfo: undefined; RetryInfo without a delay: 0', () => {
    expect(retryInfoDelayMs(new OperationsError(Code.RESOURCE_EXHAUSTED, 'x'))).toBeUndefined();
    const noDelay = translateGrpcError(
      serviceError(8, 'x', encodeStatus(8, 'x', [{ type: 'google.rpc.RetryInfo', fields: {} }])),
    );
    expect(retryInfoDelayMs(noDelay)).toBe(0);
  });

  test.each<[object, number]>([
    [{ seconds: '3600' }, MAX_RETRY_INFO_DELAY_MS],
    [{ seconds: '10000000000' }, MAX_RETRY_INFO_DELAY_MS],
    [{ seconds: '-5' }, 0],
    [{ seconds: '59', nanos: 999_000_000 }, 59_999],
  ])(
    'a RetryInfo delay of %p is clamped to %p ms (never an hour, never a timer overflow)',
    (retryDelay, ms) => {
      const err = translateGrpcError(
        serviceError(
          8,
          'x',
          encodeStatus(8, 'x', [{ type: 'google.rpc.RetryInfo', fields: { retryDelay } }]),
        ),
      );
      expect(retryInfoDelayMs(err)).toBe(ms);
    },
  );

  test.each<[unknown, number | undefined]>([
    ['1.5s', 1500],
    ['0s', 0],
    ['3s', 3000],
    [{ seconds: '2', nanos: 5_000_000 }, 2005],
    [{ seconds: 1 }, 1000],
    [null, undefined],
    [undefined, undefined],
    ['1.5', undefined],
    ['abc', undefined],
  ])('durationToMs(%p) = %p', (d, ms) => {
    expect(durationToMs(d)).toBe(ms);
  });
});

describe('hints: one line naming the fix for known setup failures (error-hints.ts)', () => {
  test.each<[string, grpc.ServiceError | Error, RegExp]>([
    [
      'grpc-js DNS failure of a Google host',
      serviceError(Code.UNAVAILABLE, 'Name resolution failed for target dns:privateca.googleapis.com:443'),
      /^cannot resolve privateca\.googleapis\.com .*--emulator HOST:PORT or set LRO_CANCEL_EMULATOR_HOST/,
    ],
    [
      'grpc-js DNS failure of another host',
      serviceError(Code.UNAVAILABLE, 'Name resolution failed for target dns:ops.example.com:8443'),
      /^cannot resolve ops\.example\.com: check the host name \(--endpoint, --service-host\)/,
    ],
    [
      'a Node ENOTFOUND socket error',
      Object.assign(new Error('getaddrinfo ENOTFOUND dataplex.googleapis.com'), { code: 'ENOTFOUND' }),
      /^cannot resolve dataplex\.googleapis\.com .*--emulator/,
    ],
    [
      'no ADC',
      serviceError(
        Code.UNKNOWN,
        'Getting metadata from plugin failed with error: Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.',
      ),
      /gcloud auth application-default login/,
    ],
    [
      'TLS to plaintext',
      serviceError(
        Code.UNAVAILABLE,
        'No connection established. Last error: Error: 0A00010B:SSL routines::wrong version number',
      ),
      /^the server speaks plaintext, not TLS: use --emulator/,
    ],
    [
      'an untrusted issuer',
      serviceError(
        Code.UNAVAILABLE,
        'No connection established. Last error: Error: unable to get local issuer certificate',
      ),
      /GRPC_DEFAULT_SSL_ROOTS_FILE_PATH .*\(library: rootCerts\)/,
    ],
    [
      'a certificate for another host',
      serviceError(
        Code.UNAVAILABLE,
        "No connection established. Last error: Error: Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames: DNS:b",
      ),
      /for another host name/,
    ],
  ])('%s', (_what, err, hint) => {
    const e = translateGrpcError(err, { operationName: 'projects/p/operations/o' });
    expect(e.hint).toMatch(hint);
    // The message ends with the hint; rawMessage and the code are the failure's own.
    expect(e.message.endsWith(`; hint: ${e.hint}`)).toBe(true);
    expect(e.rawMessage).not.toContain('hint:');
    expect(e.hint).not.toContain('\n');
  });

  test('no hint for an answer from the server, and none is made up', () => {
    for (const err of [
      serviceError(Code.NOT_FOUND, 'operation not found'),
      serviceError(
        Code.UNAVAILABLE,
        'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1',
      ),
      new Error('boom'),
    ]) {
      const e = translateGrpcError(err);
      expect(e.hint).toBeUndefined();
      expect(e.message).not.toContain('hint:');
    }
  });
});
