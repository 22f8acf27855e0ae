import * as path from 'node:path';
import { format } from 'node:util';
import { redactSecrets } from '../redaction/redact-secrets';

/*
 * Google's SDK debug logging (GOOGLE_SDK_NODE_LOGGING) prints google-auth-library's token
 * requests and responses as they are: the IAM Credentials API's `{"accessToken": ...}` (an
 * impersonated token) among them, before lro-cancel has even seen the token. The CLI owns its
 * process, so it routes those lines through the redactor, as it does grpc-js's.
 */

interface LoggingUtils {
  getNodeBackend(): { log(namespace: string, fields: object, ...args: unknown[]): void };
  setBackend(backend: { log(namespace: string, fields: object, ...args: unknown[]): void }): void;
}

let installed = false;

/**
 * Make google-auth-library's debug log redact credentials: a no-op unless GOOGLE_SDK_NODE_LOGGING
 * is set (a backend set without it would turn logging on). Idempotent; process-wide.
 */
export function redactGoogleSdkLogs(env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (installed || !env.GOOGLE_SDK_NODE_LOGGING) return;
  let utils: LoggingUtils;
  try {
    // The copy google-auth-library itself loads (a dependency of it, not of lro-cancel).
    const from = path.dirname(require.resolve('google-auth-library'));
    utils = require(require.resolve('google-logging-utils', { paths: [from] })) as LoggingUtils;
  } catch {
    return;
  }
  const node = utils.getNodeBackend();
  utils.setBackend({
    // Formatted first (`%j` of a token response becomes JSON), then redacted as one line.
    log: (namespace, fields, ...args) => node.log(namespace, fields, '%s', redactSecrets(format(...args))),
  });
  installed = true;
}
