/**
 * The layers of src/ and the arrows that must never exist between them (README "Structure").
 * CI runs `npm run deps` (dependency-cruiser) and fails on any violation, cycles included.
 * Type-only imports count too: a type cycle is still a cycle for a reader.
 */
const LIBRARY = '^src/(redaction|errors|proto|registry|retry|observability|transport|client|batch)/';
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Put shared types where both sides can import them.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'library-not-cli',
      severity: 'error',
      comment: 'The library never depends on the CLI (or the demo).',
      from: { path: LIBRARY },
      to: { path: '^src/(cli|demo)/' },
    },
    {
      name: 'library-not-emulator',
      severity: 'error',
      comment: 'The emulator is a test server; the library never needs it.',
      from: { path: LIBRARY },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'emulator-not-client',
      severity: 'error',
      comment: 'The emulator is a server: it shares protos and the registry, never the client side.',
      from: { path: '^src/emulator/' },
      to: { path: '^src/(client|batch|cli|retry)/' },
    },
    {
      name: 'transport-below-client',
      severity: 'error',
      comment: 'transport/ carries calls; deciding what they mean is the client layer above it.',
      from: { path: '^src/transport/' },
      to: { path: '^src/(client|batch|retry)/' },
    },
    {
      name: 'client-below-batch',
      severity: 'error',
      comment: 'One name at a time; the batch engine sits on top.',
      from: { path: '^src/client/' },
      to: { path: '^src/batch/' },
    },
    {
      name: 'foundations-stay-below',
      severity: 'error',
      comment: 'errors/, registry/, retry/, proto/ and redaction/ know nothing of transports or clients.',
      from: { path: '^src/(redaction|errors|proto|registry|retry)/' },
      to: { path: '^src/(transport|client|batch)/' },
    },
    {
      name: 'observability-below-client',
      severity: 'error',
      comment:
        'observability/ watches the retry loop for any transport: it knows no transport, client or batch.',
      from: { path: '^src/observability/' },
      to: { path: '^src/(transport|client|batch)/' },
    },
    {
      name: 'foundations-not-observability',
      severity: 'error',
      comment: 'The retry loop takes an observer by interface; it never imports the telemetry.',
      from: { path: '^src/(redaction|errors|proto|registry|retry)/' },
      to: { path: '^src/observability/' },
    },
    {
      name: 'auth-is-transport-independent',
      severity: 'error',
      comment:
        'auth/ decides credentials for every transport (gRPC call credentials, HTTP headers): it knows no transport, client or gRPC.',
      from: { path: '^src/auth/' },
      to: { path: '^(src/(transport|client|batch|cli|emulator)/|node_modules/@grpc/)' },
    },
    {
      name: 'redaction-is-a-leaf',
      severity: 'error',
      from: { path: '^src/redaction/' },
      to: { path: '^src/(?!redaction/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
