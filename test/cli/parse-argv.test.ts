import { commandNames } from '../../src/cli/command-table';
import { UsageError } from '../../src/cli/exit-error';
import { parseArgv, type ParsedArgv } from '../../src/cli/parse-argv';
import { parseDuration } from '../../src/cli/parse-duration';

// parse-argv is pure: these rows never load a command module or open a socket.
// The command list grows (get, list, batch, ...): messages quote it from the table.
const ALL = commandNames.join(', ');
const N1 = 'projects/p/locations/l/operations/o1';
const N2 = '//datastore.googleapis.com/projects/p/operations/o2';

type Row = [args: string[], expected: ParsedArgv | { error: RegExp; command?: string }];

const rows: Row[] = [
  // global
  [['--version'], { kind: 'version' }],
  [['-V'], { kind: 'version' }],
  [['--help'], { kind: 'help' }],
  [['-h'], { kind: 'help' }],
  [['help'], { kind: 'help' }],
  [['help', 'cancel'], { kind: 'help', command: 'cancel' }],
  [['cancel', '--help'], { kind: 'help', command: 'cancel' }],
  [['cancel', N1, '-h', '--bogus'], { kind: 'help', command: 'cancel' }],
  [['emulator', '--help'], { kind: 'help', command: 'emulator' }],
  [['services', '--version'], { kind: 'version' }],
  [[], { error: new RegExp(`^missing command: use one of ${ALL}$`) }],
  [['cancle', N1], { error: /^unknown command "cancle" \(did you mean "cancel"\?\)$/ }],
  [['frobnicate'], { error: new RegExp(`^unknown command "frobnicate"; use one of ${ALL}$`) }],
  [['help', 'nope'], { error: /^unknown command "nope"/ }],
  [['--emulator', 'localhost:1', 'cancel'], { error: /^unknown option --emulator before the command/ }],

  // cancel: names and connection flags
  [['cancel', N1], { kind: 'run', command: 'cancel', options: { names: [N1] } }],
  [['cancel', N1, N2], { kind: 'run', command: 'cancel', options: { names: [N1, N2] } }],
  [
    ['cancel', '--service', 'dataplex', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], service: 'dataplex' } },
  ],
  [
    ['cancel', '--service=DataPlex', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], service: 'dataplex' } },
  ],
  [
    ['cancel', '--service', 'datastore.googleapis.com', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], service: 'datastore' } },
  ],
  [
    ['cancel', N1, '--service', 'privateca'],
    { kind: 'run', command: 'cancel', options: { names: [N1], service: 'privateca' } },
  ],
  // --service-host: allowed hosts for full names; one alone is also the service of relative names
  [
    ['cancel', '--service-host', 'foo.googleapis.com', 'a/operations/b'],
    {
      kind: 'run',
      command: 'cancel',
      options: {
        names: ['a/operations/b'],
        service: 'foo.googleapis.com',
        serviceHosts: ['foo.googleapis.com'],
      },
    },
  ],
  [
    [
      'cancel',
      '--service-host',
      'A.example.com',
      '--service-host',
      'b.example.com',
      '--service-host',
      'a.example.com',
      N2,
    ],
    {
      kind: 'run',
      command: 'cancel',
      options: { names: [N2], serviceHosts: ['a.example.com', 'b.example.com'] },
    },
  ],
  [
    ['cancel', '--service', 'dataplex', '--service-host', 'x.googleapis.com', N1],
    {
      kind: 'run',
      command: 'cancel',
      options: { names: [N1], service: 'dataplex', serviceHosts: ['x.googleapis.com'] },
    },
  ],
  [
    [
      'cancel',
      '--service-host',
      'a.example.com',
      '--service-host',
      'b.example.com',
      '--service',
      'B.example.com',
      N1,
    ],
    {
      kind: 'run',
      command: 'cancel',
      options: { names: [N1], service: 'b.example.com', serviceHosts: ['a.example.com', 'b.example.com'] },
    },
  ],
  [
    ['batch', '--service-host', 'a.example.com', '--service-host', 'b.example.com'],
    { kind: 'run', command: 'batch', options: { serviceHosts: ['a.example.com', 'b.example.com'] } },
  ],
  [
    ['cancel', '--emulator', 'localhost:8080', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], emulator: 'localhost:8080' } },
  ],
  [
    ['cancel', '--emulator=[::1]:9', '--allow-insecure', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], emulator: '[::1]:9', allowInsecure: true } },
  ],
  [
    ['cancel', '--endpoint', 'eu-dataplex.googleapis.com:443', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], endpoint: 'eu-dataplex.googleapis.com:443' } },
  ],
  [
    ['cancel', '--endpoint', 'dataplex=a.example.com:443', '--endpoint', 'datastore=b.example.com:8443', N1],
    {
      kind: 'run',
      command: 'cancel',
      options: { names: [N1], endpoint: { dataplex: 'a.example.com:443', datastore: 'b.example.com:8443' } },
    },
  ],
  [
    ['cancel', '--', '--not-a-flag'],
    { kind: 'run', command: 'cancel', options: { names: ['--not-a-flag'] } },
  ],
  [['cancel', '-'], { kind: 'run', command: 'cancel', options: { names: ['-'] } }],

  // batch: "-" is a value (stdin / stdout), not a flag
  [
    ['batch', '--input', '-', '--output', '-'],
    { kind: 'run', command: 'batch', options: { input: '-', output: '-' } },
  ],
  [
    [
      'batch',
      '--input',
      'names.txt',
      '--concurrency',
      '8',
      '--rate',
      '100',
      '--journal',
      'j',
      '--confirm',
      '--quiet',
    ],
    {
      kind: 'run',
      command: 'batch',
      options: { input: 'names.txt', concurrency: 8, rate: 100, journal: 'j', confirm: true, quiet: true },
    },
  ],
  [['batch', '--confirm-timeout', '5s'], { error: /^--confirm-timeout needs --confirm$/, command: 'batch' }],
  [['batch', '--rate', '0'], { error: /^--rate: 0 is too small/, command: 'batch' }],
  [
    ['cancel-all', 'projects/p/locations/l', '--service', 'dataplex', '--dry-run'],
    {
      kind: 'run',
      command: 'cancel-all',
      options: { parent: 'projects/p/locations/l', service: 'dataplex', dryRun: true },
    },
  ],
  [
    [
      'list',
      'projects/p',
      '--service',
      'datastore',
      '--filter',
      'done=false',
      '--page-size',
      '10',
      '--limit',
      '3',
    ],
    {
      kind: 'run',
      command: 'list',
      options: { parent: 'projects/p', service: 'datastore', filter: 'done=false', pageSize: 10, limit: 3 },
    },
  ],

  // cancel: call flags
  [
    ['cancel', '--timeout', '30s', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], timeoutMs: 30_000 } },
  ],
  [
    ['cancel', '--timeout=500ms', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], timeoutMs: 500 } },
  ],
  [
    ['cancel', '--timeout', '2m', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], timeoutMs: 120_000 } },
  ],
  [
    ['cancel', '--timeout', '1m30s', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], timeoutMs: 90_000 } },
  ],
  [
    ['cancel', '--max-attempts', '1', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], maxAttempts: 1 } },
  ],
  [
    ['cancel', '--concurrency', '2', N1],
    { kind: 'run', command: 'cancel', options: { names: [N1], concurrency: 2 } },
  ],

  // cancel: usage errors, each naming the flag
  [['cancel'], { error: /^missing NAME: "cancel" needs at least 1$/, command: 'cancel' }],
  [['cancel', '--bogus', N1], { error: /^unknown option --bogus for "cancel"$/, command: 'cancel' }],
  [
    ['cancel', '--timeot', '1s', N1],
    { error: /^unknown option --timeot for "cancel" \(did you mean --timeout\?\)$/ },
  ],
  [['cancel', '-x', N1], { error: /^unknown option -x for "cancel"$/ }],
  [
    ['cancel', '--timeout', '30', N1],
    { error: /^--timeout: "30" is not a duration .*\(add a unit: "30s" or "30ms"\)$/ },
  ],
  [['cancel', '--timeout', 'soon', N1], { error: /^--timeout: "soon" is not a duration/ }],
  [['cancel', '--timeout', '0s', N1], { error: /^--timeout: "0s" must be longer than 0$/ }],
  [['cancel', '--timeout', '-5s', N1], { error: /^--timeout: "-5s" is not a duration/ }],
  [['cancel', '--timeout', '25h', N1], { error: /^--timeout: "25h" is longer than the limit of 24h$/ }],
  [['cancel', N1, '--timeout'], { error: /^--timeout needs a value \(DURATION\)$/ }],
  [['cancel', '--timeout', '--service', 'dataplex', N1], { error: /^--timeout needs a value/ }],
  [['cancel', '--max-attempts', '-1', N1], { error: /^--max-attempts: -1 is too small; the minimum is 1$/ }],
  [['cancel', '--max-attempts', '0', N1], { error: /^--max-attempts: 0 is too small/ }],
  [['cancel', '--max-attempts', '2.5', N1], { error: /^--max-attempts: "2.5" is not a whole number$/ }],
  [['cancel', '--max-attempts', 'three', N1], { error: /^--max-attempts: "three" is not a whole number$/ }],
  [
    ['cancel', '--max-attempts', '1000', N1],
    { error: /^--max-attempts: 1000 is too large; the maximum is 100$/ },
  ],
  [['cancel', '--concurrency', '0', N1], { error: /^--concurrency: 0 is too small/ }],
  [
    ['cancel', '--endpoint', 'dataplex.googleapis.com', N1],
    { error: /^--endpoint "dataplex.googleapis.com" must be HOST:PORT/ },
  ],
  [
    ['cancel', '--endpoint', 'host:0', N1],
    { error: /^--endpoint "host:0" must be HOST:PORT \(port 1-65535\)/ },
  ],
  [
    ['cancel', '--endpoint', 'nosuch=a.example.com:443', N1],
    { error: /^--endpoint: unknown service "nosuch"/ },
  ],
  [
    ['cancel', '--endpoint', 'a.example.com:443', '--endpoint', 'dataplex=b.example.com:443', N1],
    { error: /^--endpoint: give either one HOST:PORT/ },
  ],
  [['cancel', '--emulator', 'localhost', N1], { error: /^--emulator "localhost" must be HOST:PORT/ }],
  [
    ['cancel', '--emulator', 'localhost:99999', N1],
    { error: /^--emulator "localhost:99999" has port 99999/ },
  ],
  [
    ['cancel', '--emulator', 'localhost:1', '--endpoint', 'a.example.com:443', N1],
    { error: /^--emulator and --endpoint cannot be combined/ },
  ],
  [
    ['cancel', '--service', 'nosuch', N1],
    {
      error:
        /^--service: unknown service "nosuch"; use one of datalineage, dataplex, privateca, datastore, discoveryengine, or a host also given as --service-host HOST$/,
    },
  ],
  // a host as --service must be allowed by --service-host too: one flag does not choose another's host
  [
    ['cancel', '--service', 'foo.example.com', N1],
    { error: /^--service: unknown service "foo.example.com"/ },
  ],
  [
    ['cancel', '--service', 'foo.example.com', '--service-host', 'bar.example.com', N1],
    { error: /^--service: unknown service "foo.example.com"/ },
  ],
  [
    ['cancel', '--service', 'dataplex', '--service', 'datastore', N1],
    { error: /^--service given more than once$/ },
  ],
  [
    ['cancel', '--service-host', 'not a host', N1],
    { error: /^--service-host: service host "not a host" is not a DNS host name/ },
  ],
  [['cancel', '--service', '', N1], { error: /^--service must not be empty$/ }],
  [['cancel', '--allow-insecure=yes', N1], { error: /^--allow-insecure takes no value \(got "yes"\)$/ }],

  // services
  [['services'], { kind: 'run', command: 'services', options: { json: false } }],
  [['services', '--json'], { kind: 'run', command: 'services', options: { json: true } }],
  [['services', 'extra'], { error: /^"services" takes no arguments \(got "extra"\)$/, command: 'services' }],

  // emulator
  [['emulator'], { kind: 'run', command: 'emulator', options: { host: '127.0.0.1', port: 0, seed: 0 } }],
  [
    ['emulator', '--port', '8080', '--seed', '20'],
    { kind: 'run', command: 'emulator', options: { host: '127.0.0.1', port: 8080, seed: 20 } },
  ],
  [
    ['emulator', '--host', '::1', '--port=0'],
    { kind: 'run', command: 'emulator', options: { host: '::1', port: 0, seed: 0 } },
  ],
  [
    ['emulator', '--host', '0.0.0.0', '--allow-insecure'],
    { kind: 'run', command: 'emulator', options: { host: '0.0.0.0', port: 0, seed: 0, allowInsecure: true } },
  ],
  [
    ['emulator', '--port', '-1'],
    { error: /^--port: -1 is too small; the minimum is 0$/, command: 'emulator' },
  ],
  [['emulator', '--port', '65536'], { error: /^--port: 65536 is too large; the maximum is 65535$/ }],
  [['emulator', '--port', 'http'], { error: /^--port: "http" is not a whole number$/ }],
  [['emulator', '--seed', '1.5'], { error: /^--seed: "1.5" is not a whole number$/ }],
  [['emulator', '--seed', '-3'], { error: /^--seed: -3 is too small; the minimum is 0$/ }],
  [['emulator', '--timeout', '1s'], { error: /^unknown option --timeout for "emulator"$/ }],
];

describe('parseArgv', () => {
  test.each(rows)('%j', (args, expected) => {
    if ('error' in expected) {
      let thrown: unknown;
      try {
        parseArgv(args);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      const err = thrown as UsageError;
      expect(err.code).toBe(2);
      expect(err.message).toMatch(expected.error);
      expect(err.message).not.toContain('\n'); // one line
      if (expected.command) expect(err.command).toBe(expected.command);
    } else {
      expect(parseArgv(args)).toEqual(expected);
    }
  });
});

describe('parseDuration', () => {
  test.each<[string, number | RegExp]>([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    [' 10s ', 10_000],
    ['0ms', 0],
    ['10', /add a unit/],
    ['', /is not a duration/],
    ['s', /is not a duration/],
    ['10 s', /is not a duration/],
    ['10sec', /is not a duration/],
    ['-1s', /is not a duration/],
    ['1e3ms', /is not a duration/],
    ['48h', /longer than the limit/],
  ])('%j', (text, expected) => {
    const r = parseDuration(text);
    if (typeof expected === 'number') expect(r).toEqual({ ms: expected });
    else expect('error' in r && r.error).toMatch(expected);
  });
});
