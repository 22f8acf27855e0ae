// The CLI's redaction is the library's (records and grpc-js log lines use it too).
export { redactSecrets } from '../redaction/redact-secrets';
