import { commands, commandNames, type CommandName, type CommandSpec, type FlagSpec } from './command-table';

const PITCH =
  'Cancel Google Cloud long-running operations over gRPC (google.longrunning.Operations/CancelOperation).';

/** The global help, or one command's. Pure text, ending in a newline. */
export function formatHelp(version: string, command?: CommandName): string {
  return command === undefined ? globalHelp(version) : commandHelp(commands[command] as CommandSpec<unknown>);
}

function globalHelp(version: string): string {
  const width = Math.max(...commandNames.map((n) => n.length)) + 2;
  return [
    `lro-cancel ${version}`,
    PITCH,
    '',
    'Usage: lro-cancel <command> [options]',
    '',
    'Commands:',
    ...commandNames.map((n) => `  ${n.padEnd(width)}${commands[n].summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (lro-cancel <command> --help for a command)',
    '  -V, --version  Print the version',
    '',
    'Environment:',
    '  LRO_CANCEL_EMULATOR_HOST  HOST:PORT of an Operations emulator (like --emulator)',
    '  GOOGLE_CLOUD_UNIVERSE_DOMAIN  Universe domain of the services (default googleapis.com)',
    '  GOOGLE_APPLICATION_CREDENTIALS  Credentials file of Application Default Credentials',
    '  GOOGLE_CLOUD_QUOTA_PROJECT  Quota project (like --billing-project; over the ADC file quota_project_id)',
    '  GRPC_DEFAULT_SSL_ROOTS_FILE_PATH  CA certificates to trust (like --ca-file)',
    '  GOOGLE_API_USE_CLIENT_CERTIFICATE  true: mTLS with the device certificate (endpoint verification)',
    '',
    'Exit status: 0 success, 1 some operation was not cancel-requested (or a failure), 2 usage error.',
    'Credentials: Application Default Credentials over TLS, unless an emulator is used;',
    'see --access-token-file, --impersonate-service-account, and `lro-cancel auth`.',
    '',
  ].join('\n');
}

function flagLabel(f: FlagSpec): string {
  return f.type === 'boolean' ? `--${f.name}` : `--${f.name} ${f.valueName ?? 'VALUE'}`;
}

function commandHelp(spec: CommandSpec<unknown>): string {
  const rows: [string, string][] = spec.flags.map((f) => [
    flagLabel(f),
    f.description + (f.repeatable ? ' (repeatable)' : ''),
  ]);
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [
    `Usage: lro-cancel ${spec.usage}`,
    '',
    `${spec.summary}.`,
    '',
    spec.description,
    '',
    'Options:',
  ];
  lines.push(...rows.map(([l, d]) => `  ${l.padEnd(width)}${d}`));
  if (spec.examples && spec.examples.length > 0) {
    lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  }
  lines.push('');
  return lines.join('\n');
}
