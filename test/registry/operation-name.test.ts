import {
  Code,
  createCanceller,
  MAX_NAME_LENGTH,
  OperationsError,
  parseOperationName,
  serviceIds,
  services,
} from '../../src';
import { callerOf } from '../../src/client/canceller';
import { matchesPattern } from '../../src/registry/operation-name';
import { useEmulator } from '../helpers/emulator';

/** Run `fn` and return the OperationsError it throws (fails the test when it throws nothing). */
function invalidName(fn: () => unknown): OperationsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OperationsError);
    return e as OperationsError;
  }
  throw new Error('expected an OperationsError, nothing was thrown');
}

const LOCATION_OPS = 'projects/*/locations/*/operations/*';

/** The `//host/...` full names a message suggests: its JSON-quoted strings that start with `//`. */
function fullNamesIn(message: string): string[] {
  return (message.match(/"(?:[^"\\]|\\.)*"/g) ?? [])
    .map((q) => JSON.parse(q) as string)
    .filter((t) => t.startsWith('//'));
}

describe('the registry', () => {
  test('holds exactly the five built-in services, each on port 443 with the cloud-platform scope first', () => {
    expect(serviceIds).toEqual(['datalineage', 'dataplex', 'privateca', 'datastore', 'discoveryengine']);
    for (const id of serviceIds) {
      const s = services[id]!;
      expect(s.id).toBe(id);
      expect(s.host).toBe(`${id}.googleapis.com`);
      expect(s.port).toBe(443);
      expect(s.scopes[0]).toBe('https://www.googleapis.com/auth/cloud-platform');
    }
    expect(services.datastore!.scopes).toContain('https://www.googleapis.com/auth/datastore');
    expect(services.discoveryengine!.apiVersion).toBe('v1alpha');
  });

  test("carries googleapis' CancelOperation patterns", () => {
    expect(services.datalineage!.cancelPatterns).toEqual([LOCATION_OPS]);
    expect(services.privateca!.cancelPatterns).toEqual([LOCATION_OPS]);
    expect([...services.dataplex!.cancelPatterns].sort()).toEqual(
      [LOCATION_OPS, 'organizations/*/locations/*/operations/*'].sort(),
    );
    expect(services.datastore!.cancelPatterns).toEqual(['projects/*/operations/*']);
    expect([...services.discoveryengine!.cancelPatterns].sort()).toEqual(
      [
        'projects/*/locations/*/collections/*/dataStores/*/branches/*/operations/*',
        'projects/*/locations/*/dataStores/*/branches/*/operations/*',
      ].sort(),
    );
    // Get accepts everything Cancel accepts.
    for (const id of serviceIds) {
      for (const p of services[id]!.cancelPatterns) expect(services[id]!.getPatterns).toContain(p);
    }
  });
});

describe('matchesPattern', () => {
  test.each([
    ['projects/p/locations/l/operations/o', LOCATION_OPS, true],
    ['projects/p/locations/l/operations', LOCATION_OPS, false],
    ['projects/p/locations/l/operations/o/x', LOCATION_OPS, false],
    ['projects//locations/l/operations/o', LOCATION_OPS, false],
    ['folders/p/locations/l/operations/o', LOCATION_OPS, false],
    ['a/b/operations/o', '**/operations/*', true],
    ['a/operations/o', '**/operations/*', true],
    ['operations/o', '**/operations/*', false],
    ['a//operations/o', '**/operations/*', false],
    ['a/b/operations/', '**/operations/*', false],
    ['a/b/ops/o', '**/operations/*', false],
  ])('%s against %s: %s', (name, pattern, ok) => {
    expect(matchesPattern(name, pattern)).toBe(ok);
  });
});

/** Valid cancel names per service, and names of the right general shape that the service does not accept. */
const VALID: Record<string, string[]> = {
  datalineage: ['projects/my-proj/locations/us-central1/operations/op-123'],
  dataplex: [
    'projects/my-proj/locations/us-central1/operations/op-123',
    'organizations/1234567/locations/global/operations/operation-1700000000000-abc',
  ],
  privateca: ['projects/p/locations/europe-west1/operations/operation-1'],
  datastore: ['projects/my-proj/operations/ASA1MTAwNDQxNAgUbHV0YWVyc2EQCSgI'],
  discoveryengine: [
    'projects/p/locations/global/dataStores/ds/branches/0/operations/import-1',
    'projects/p/locations/global/collections/default_collection/dataStores/ds/branches/default_branch/operations/import-2',
  ],
};

const INVALID: Record<string, string[]> = {
  datalineage: [
    'organizations/o/locations/l/operations/op', // dataplex only
    'projects/p/operations/op',
    'projects/p/locations/l/operations',
    'projects/p/locations/l/operations/op/extra',
  ],
  dataplex: [
    'folders/f/locations/l/operations/op',
    'organizations/o/operations/op',
    'projects/p/locations/l/lakes/x/operations/op',
  ],
  privateca: ['organizations/o/locations/l/operations/op', 'projects/p/locations/l/caPools/c/operations/op'],
  datastore: ['projects/p/locations/l/operations/op', 'projects/p/operations', 'databases/d/operations/op'],
  discoveryengine: [
    // readable through GetOperation, but not cancellable through v1alpha
    'projects/p/locations/global/dataStores/ds/operations/op',
    'projects/p/locations/global/collections/c/engines/e/operations/op',
    'projects/p/locations/l/operations/op',
    'projects/p/operations/op',
    'projects/p/locations/global/dataStores/ds/branches/operations/op',
  ],
};

describe.each(serviceIds)('%s names', (id) => {
  const service = services[id]!;

  test.each(VALID[id]!)('accepts relative %s with the service id, the host and the descriptor', (name) => {
    for (const arg of [id, service.host, { service }, { service: id }, id.toUpperCase()]) {
      const parsed = parseOperationName(name, arg);
      expect(parsed.name).toBe(name);
      expect(parsed.service).toBe(service);
    }
    expect(parseOperationName(name, { service: id, kind: 'cancel' }).name).toBe(name);
  });

  test.each(VALID[id]!)(
    'accepts the full name //%s/... without a service, and with the matching one',
    (name) => {
      const full = `//${service.host}/${name}`;
      expect(parseOperationName(full)).toEqual({ name, service });
      expect(parseOperationName(full, id)).toEqual({ name, service });
      expect(parseOperationName(`//${service.host.toUpperCase()}/${name}`).service).toBe(service);
    },
  );

  test.each(INVALID[id]!)('rejects %s, quoting it and every expected pattern', (name) => {
    const err = invalidName(() => parseOperationName(name, id));
    expect(err.outcome).toBe('invalid-name');
    expect(err.code).toBe(3);
    expect(err.codeName).toBe('INVALID_ARGUMENT');
    expect(err.attempts).toBe(0);
    expect(err.service).toBe(id);
    expect(err.message).toContain(JSON.stringify(name));
    for (const p of service.cancelPatterns) expect(err.message).toContain(`"${p}"`);
    // the full-name form is rejected the same way
    const full = invalidName(() => parseOperationName(`//${service.host}/${name}`));
    for (const p of service.cancelPatterns) expect(full.message).toContain(`"${p}"`);
  });

  test('rejects an empty segment in every position, naming the expected pattern(s)', () => {
    const name = VALID[id]![0]!;
    const parts = name.split('/');
    for (let i = 0; i < parts.length; i++) {
      const bad = parts.map((p, j) => (j === i ? '' : p)).join('/');
      const err = invalidName(() => parseOperationName(bad, id));
      expect(err.outcome).toBe('invalid-name');
      expect(err.message).toContain(JSON.stringify(bad));
      expect(err.message).toContain(service.cancelPatterns[0]!);
    }
    for (const bad of [`${name}/`, `${name}//x`]) {
      const err = invalidName(() => parseOperationName(bad, id));
      expect(err.message).toMatch(/empty segment/);
    }
  });
});

describe('shape, characters and length', () => {
  const good = 'projects/p/locations/l/operations/o';

  test.each([
    ['a space', 'projects/p/locations/l/operations/o 1'],
    ['a leading space', ' projects/p/locations/l/operations/o'],
    ['a trailing newline', 'projects/p/locations/l/operations/o\n'],
    ['a tab', 'projects/p/locations/l\t/operations/o'],
    ['a NUL', 'projects/p/locations/l/operations/o\u0000'],
    ['a BEL', 'projects/p/locations/l/operations/\u0007o'],
    ['a DEL', 'projects/p\u007f/locations/l/operations/o'],
    ['a C1 control', 'projects/p/locations/l/operations/o\u0085'],
    ['a no-break space', 'projects/p/locations/l/operations/o\u00a0'],
    ['a line separator', 'projects/p/locations/l/operations/o\u2028'],
    ['an ideographic space', 'projects/p/locations/l/operations/o\u3000'],
  ])('rejects %s', (_what, name) => {
    const err = invalidName(() => parseOperationName(name, 'dataplex'));
    expect(err.outcome).toBe('invalid-name');
    expect(err.message).toMatch(/whitespace or a control character/);
    // quoted so the bad character is visible (and escaped), not printed raw; JSON.stringify
    // leaves DEL, C1 controls and U+2028/2029 raw, so those are escaped as \uXXXX as well
    expect(err.message).toContain(
      JSON.stringify(name).replace(
        /[\u007f-\u009f\u2028\u2029]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    );
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(err.message).toContain('"organizations/*/locations/*/operations/*"');
    // a full name names its service, so its patterns are quoted too
    const full = invalidName(() => parseOperationName(`//privateca.googleapis.com/${name}`));
    expect(full.message).toContain(`"${LOCATION_OPS}"`);
    expect(full.service).toBe('privateca');
  });

  test('a paired surrogate (an emoji) passes the character checks; an unpaired one is refused', () => {
    const emoji = 'projects/p/locations/l/operations/op-\u{1f600}';
    expect(parseOperationName(emoji, 'dataplex').name).toBe(emoji);
    for (const lone of [
      'projects/p/locations/l/operations/op-\ud83d',
      'projects/p/locations/l/operations/\ude00op',
    ]) {
      expect(invalidName(() => parseOperationName(lone, 'dataplex')).message).toMatch(/unpaired surrogate/);
    }
    // whitespace beside a paired surrogate is still whitespace
    expect(invalidName(() => parseOperationName(`${emoji} `, 'dataplex')).message).toMatch(
      /whitespace or a control character/,
    );
  });

  test('accepts a name of exactly MAX_NAME_LENGTH characters and rejects one more', () => {
    expect(MAX_NAME_LENGTH).toBe(1024);
    const prefix = 'projects/p/locations/l/operations/';
    const atLimit = prefix + 'x'.repeat(MAX_NAME_LENGTH - prefix.length);
    expect(atLimit.length).toBe(MAX_NAME_LENGTH);
    expect(parseOperationName(atLimit, 'dataplex').name).toBe(atLimit);
    const tooLong = `${atLimit}x`;
    const err = invalidName(() => parseOperationName(tooLong, 'dataplex'));
    expect(err.outcome).toBe('invalid-name');
    expect(err.message).toContain(`${MAX_NAME_LENGTH + 1} characters`);
    expect(err.message).toContain(`limit is ${MAX_NAME_LENGTH}`);
    // quotes the start of the name, not all of it
    expect(err.message).toContain(tooLong.slice(0, 64));
    expect(err.message).toContain(`"${LOCATION_OPS}"`);
    expect(err.message.length).toBeLessThan(400);
  });

  test('rejects the empty name, a leading "/" and a non-string', () => {
    expect(invalidName(() => parseOperationName('', 'dataplex')).message).toMatch(/empty/);
    const slash = invalidName(() => parseOperationName(`/${good}`, 'dataplex'));
    expect(slash.message).toContain(JSON.stringify(`/${good}`));
    expect(slash.message).toMatch(/must not start with "\/"/);
    expect(slash.message).toContain(`"${LOCATION_OPS}"`);
    expect(invalidName(() => parseOperationName(42 as unknown as string, 'dataplex')).outcome).toBe(
      'invalid-name',
    );
  });

  test('a relative name without any service is rejected, suggesting the full name on every service that takes it', () => {
    const err = invalidName(() => parseOperationName(good));
    expect(err.outcome).toBe('invalid-name');
    expect(err.message).toContain(JSON.stringify(good));
    for (const id of ['datalineage', 'dataplex', 'privateca'])
      expect(err.rawMessage).toContain(`"//${id}.googleapis.com/${good}"`);
    expect(err.rawMessage).toContain('--service ID');
    // datastore's and discoveryengine's names have no locations/ for Cancel: not suggested
    expect(err.rawMessage).not.toMatch(/datastore|discoveryengine/);
  });

  test.each([
    // [input, kind, the full names suggested (exactly)]
    ['projects/p/operations/o', 'cancel', ['//datastore.googleapis.com/projects/p/operations/o']],
    [
      'projects/p/operations/o',
      'get',
      [
        '//datastore.googleapis.com/projects/p/operations/o',
        '//discoveryengine.googleapis.com/projects/p/operations/o',
      ],
    ],
    [
      'projects/p',
      'list-parent',
      ['//datastore.googleapis.com/projects/p', '//discoveryengine.googleapis.com/projects/p'],
    ],
    [
      'https://dataplex.googleapis.com/v1/projects/p/locations/l/operations/o:cancel',
      'cancel',
      ['//dataplex.googleapis.com/projects/p/locations/l/operations/o'],
    ],
    [
      'https://DATASTORE.googleapis.com:443/v1/projects/p/operations/o?alt=json',
      'get',
      ['//datastore.googleapis.com/projects/p/operations/o'],
    ],
    [
      'https://dataplex.googleapis.com/v1/projects/p/locations/l/operations',
      'list-parent',
      ['//dataplex.googleapis.com/projects/p/locations/l'],
    ],
    [
      'dataplex.googleapis.com/projects/p/locations/l/operations/o',
      'cancel',
      ['//dataplex.googleapis.com/projects/p/locations/l/operations/o'],
    ],
    // no service takes these: no suggestion, the expected shapes instead
    ['https://example.com/v1/projects/p/locations/l/operations/o', 'cancel', []],
    ['folders/f/operations/o', 'cancel', []],
    ['https://dataplex.googleapis.com/v1/projects/p/operations/o', 'cancel', []],
  ] as const)('no service: %s (%s) suggests exactly the full names that parse', (input, kind, suggested) => {
    const err = invalidName(() => parseOperationName(input, { kind }));
    expect(fullNamesIn(err.rawMessage)).toEqual(suggested);
    if (suggested.length === 0)
      expect(err.rawMessage).toMatch(/URL is not an operation name|no built-in service takes/);
    if (input.startsWith('folders'))
      expect(err.rawMessage).toContain('"projects/*/operations/*" (datastore)');
  });

  test('a name its service does not take names the services that do; one it can read but not cancel says so', () => {
    expect(
      fullNamesIn(invalidName(() => parseOperationName('projects/p/operations/o', 'dataplex')).rawMessage),
    ).toEqual(['//datastore.googleapis.com/projects/p/operations/o']);
    expect(
      fullNamesIn(
        invalidName(() =>
          parseOperationName('//datastore.googleapis.com/organizations/o/locations/l/operations/x'),
        ).rawMessage,
      ),
    ).toEqual(['//dataplex.googleapis.com/organizations/o/locations/l/operations/x']);
    const readOnly = invalidName(() =>
      parseOperationName('projects/p/locations/l/collections/c/dataStores/d/operations/o', 'discoveryengine'),
    );
    expect(readOnly.rawMessage).toContain(
      'discoveryengine lets this operation be read (get) but not cancelled',
    );
    // a leading "/" or surrounding whitespace: the name meant, on the given service only
    expect(fullNamesIn(invalidName(() => parseOperationName(`/${good}`, 'privateca')).rawMessage)).toEqual([
      `//privateca.googleapis.com/${good}`,
    ]);
    expect(fullNamesIn(invalidName(() => parseOperationName(` ${good}\n`, 'privateca')).rawMessage)).toEqual([
      `//privateca.googleapis.com/${good}`,
    ]);
  });

  test('an unknown service id is refused with the list of valid ids', () => {
    const err = invalidName(() => parseOperationName(good, 'dataplexx'));
    expect(err.outcome).toBe('invalid-name');
    expect(err.message).toContain('"dataplexx"');
    for (const id of serviceIds) expect(err.message).toContain(id);
  });

  test('a full name carries its own service: the one given is for relative names only', () => {
    // (--service X --service-host Y: X for relative names, Y's full names still go to Y)
    expect(parseOperationName(`//dataplex.googleapis.com/${good}`, 'privateca').service).toBe(
      services.dataplex,
    );
    expect(parseOperationName(good, 'privateca').service).toBe(services.privateca);
    // its patterns are the full name's service's, not the given one's
    const err = invalidName(() =>
      parseOperationName('//datastore.googleapis.com/projects/p/locations/l/operations/o', 'dataplex'),
    );
    expect(err.message).toContain('datastore expects "projects/*/operations/*"');
  });

  test('a full name without a usable host or path is refused', () => {
    for (const bad of [
      '//',
      '//dataplex.googleapis.com',
      '//dataplex.googleapis.com/',
      '//not a host/x/operations/o',
      '//localhost:8080/p/operations/o',
      '//-bad-.com/p/operations/o',
    ]) {
      const err = invalidName(() => parseOperationName(bad));
      expect(err.outcome).toBe('invalid-name');
      expect(err.message).toContain(JSON.stringify(bad));
    }
  });
});

describe('custom service hosts', () => {
  test('a full name on a host in serviceHosts is a custom service accepting any .../operations/<id>', () => {
    const parsed = parseOperationName('//foo.googleapis.com/v1/things/t/operations/op-9', {
      serviceHosts: ['foo.googleapis.com'],
    });
    expect(parsed.name).toBe('v1/things/t/operations/op-9');
    expect(parsed.service.custom).toBe(true);
    expect(parsed.service.host).toBe('foo.googleapis.com');
    expect(parsed.service.port).toBe(443);
    // hosts compare case-insensitively, in the list and in the name
    expect(
      parseOperationName('//FOO.googleapis.com/a/operations/o', { serviceHosts: [' Foo.GoogleAPIs.com '] })
        .service.host,
    ).toBe('foo.googleapis.com');
    // several hosts in one list
    const both = { serviceHosts: ['a.example.com', 'b.example.com'] };
    expect(parseOperationName('//a.example.com/x/operations/1', both).service.id).toBe('a.example.com');
    expect(parseOperationName('//b.example.com/x/operations/2', both).service.id).toBe('b.example.com');
  });

  test('a host given as the service makes a custom service for relative names', () => {
    const parsed = parseOperationName('projects/p/regions/r/operations/o', 'Foo.Example.COM');
    expect(parsed.service.id).toBe('foo.example.com');
    expect(parsed.service.custom).toBe(true);
    // the built-in host is the built-in service, not a custom one
    expect(parseOperationName('projects/p/operations/o', 'datastore.googleapis.com').service).toBe(
      services.datastore,
    );
  });

  test.each([
    'operations/o', // needs something before /operations/
    'projects/p/operations', // needs an id
    'projects/p/jobs/j',
    'projects//operations/o',
  ])('a custom service still rejects %s, quoting the pattern', (name) => {
    const err = invalidName(() => parseOperationName(name, 'foo.googleapis.com'));
    expect(err.outcome).toBe('invalid-name');
    expect(err.message).toContain(JSON.stringify(name));
    expect(err.message).toContain('"**/operations/*"');
  });

  test('a custom host that is not a DNS name is refused', () => {
    expect(() => parseOperationName('a/operations/o', 'foo_bar.example.com')).toThrow(/not a DNS host name/);
    const err = invalidName(() =>
      parseOperationName('//a.example.com/x/operations/o', { serviceHosts: ['a.example.com', 'bad host'] }),
    );
    expect(err).toMatchObject({ outcome: 'invalid-name' });
    expect(err.rawMessage).toMatch(/^serviceHosts: service host "bad host" is not a DNS host name/);
  });
});

describe('credentials go only to hosts the caller chose', () => {
  const HOSTILE = '//evil.example.com/projects/p/operations/o';

  test('a full name on a host that is neither built in nor allowed is invalid-name, saying how to allow it', () => {
    for (const opts of [
      {},
      { serviceHosts: ['other.example.com'] },
      { service: 'datastore' },
      { service: 'other.example.com' },
      { kind: 'get' as const },
    ]) {
      const err = invalidName(() => parseOperationName(HOSTILE, opts));
      expect(err).toMatchObject({
        outcome: 'invalid-name',
        code: Code.INVALID_ARGUMENT,
        attempts: 0,
        operationName: HOSTILE,
      });
      expect(err.message).toContain(JSON.stringify(HOSTILE));
      expect(err.message).toContain(
        'full resource name names host "evil.example.com", which is not a built-in service',
      );
      expect(err.message).toContain('pass --service-host evil.example.com');
      expect(err.message).toContain("serviceHosts: ['evil.example.com']");
      // it names no service: the hostile host is not one
      expect(err.service).toBeUndefined();
    }
    // upper case is the same host
    expect(invalidName(() => parseOperationName('//EVIL.example.com/p/operations/o')).message).toContain(
      'pass --service-host evil.example.com',
    );
  });

  test('other errors in a hostile full name do not borrow its host as a service either', () => {
    const err = invalidName(() => parseOperationName('//evil.example.com/p/operations/o x'));
    expect(err.message).toMatch(/whitespace/);
    expect(err.message).not.toContain('expects');
    expect(err.service).toBeUndefined();
  });

  test('built-in service hosts are always allowed, whatever else is given', () => {
    for (const id of serviceIds) {
      const s = services[id]!;
      const name = s.cancelPatterns[0]!.replace(/\*/g, 'x');
      expect(parseOperationName(`//${s.host}/${name}`).service).toBe(s);
      expect(parseOperationName(`//${s.host}/${name}`, { serviceHosts: ['a.example.com'] }).service).toBe(s);
      expect(parseOperationName(`//${s.host}/${name}`, { service: 'a.example.com' }).service).toBe(s);
    }
  });

  test('a host given as the service counts as allowed for full names of that host', () => {
    const parsed = parseOperationName('//foo.example.com/v1/x/operations/o', { service: 'Foo.Example.com' });
    expect(parsed).toMatchObject({
      name: 'v1/x/operations/o',
      service: { host: 'foo.example.com', custom: true },
    });
  });

  test('under a universe domain, a built-in host in that universe names the built-in service', () => {
    const u = { universeDomain: 'example-universe.com' };
    expect(
      parseOperationName(`//dataplex.example-universe.com/${LOCATION_OPS.replace(/\*/g, 'x')}`, u).service,
    ).toBe(services.dataplex);
    expect(parseOperationName('//datastore.example-universe.com/projects/p/operations/o', u).service).toBe(
      services.datastore,
    );
    // the canonical googleapis.com name stays the built-in service (its endpoint is rewritten)
    expect(parseOperationName('//datastore.googleapis.com/projects/p/operations/o', u).service).toBe(
      services.datastore,
    );
    // not without that universe, not in another, and not for hosts that are not a built-in's
    for (const [name, opts] of [
      ['//datastore.example-universe.com/projects/p/operations/o', {}],
      ['//datastore.example-universe.com/projects/p/operations/o', { universeDomain: 'other-universe.com' }],
      ['//foo.example-universe.com/projects/p/operations/o', u],
      ['//a.datastore.example-universe.com/projects/p/operations/o', u],
    ] as const) {
      expect(invalidName(() => parseOperationName(name, opts)).message).toContain('pass --service-host');
    }
  });
});

describe('get and list-parent kinds are wider than cancel', () => {
  test('discoveryengine: an engine operation can be read but not cancelled', () => {
    const name = 'projects/p/locations/global/collections/c/engines/e/operations/op';
    expect(parseOperationName(name, { service: 'discoveryengine', kind: 'get' }).name).toBe(name);
    expect(() => parseOperationName(name, { service: 'discoveryengine', kind: 'cancel' })).toThrow(
      OperationsError,
    );
  });
});

describe('no RPC is sent for a bad name', () => {
  const emu = useEmulator();

  test('every invalid name rejects with invalid-name, attempts 0, and the emulator sees nothing', async () => {
    const e = emu.get();
    const c = createCanceller({ emulator: e.target, retry: { initialDelayMs: 10 } });
    try {
      const bad: Array<[string, string | undefined]> = [
        ['projects/p/locations/l/operations/o', undefined],
        ['projects/p/locations/l/operations/o', 'nope'],
        ['projects/p/locations/l/operations/o x', 'dataplex'],
        ['projects/p/locations/l/operations/', 'dataplex'],
        ['projects/p/operations/o', 'dataplex'],
        ['projects/p/locations/l/operations/o', 'datastore'],
        ['//evil.example.com/projects/p/operations/o', undefined],
        ['//evil.example.com/projects/p/operations/o', 'datastore'],
        ['//evil.example.com/projects/p/operations/o', 'other.example.com'],
        [`projects/p/locations/l/operations/${'x'.repeat(2000)}`, 'dataplex'],
      ];
      for (const [name, service] of bad) {
        const err = await c.cancel(name, service === undefined ? {} : { service }).then(
          () => undefined,
          (x: unknown) => x as OperationsError,
        );
        expect(err).toBeInstanceOf(OperationsError);
        expect(err!.outcome).toBe('invalid-name');
        expect(err!.attempts).toBe(0);
      }
      expect(e.calls).toHaveLength(0);
      expect(e.peers.size).toBe(0);
      // and nothing was even connected
      expect(callerOf(c).stubs()).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});
