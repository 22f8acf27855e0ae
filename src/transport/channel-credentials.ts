import { grpc } from './grpc';
import type { Endpoint } from './endpoint';
import { rememberSecret } from '../redaction/redact-secrets';

/**
 * Anything that can put an `authorization` header on a request: a google-auth-library client
 * (GoogleAuth, OAuth2Client, ...) or a test's static-token stub.
 *
 * @example
 * ```ts
 * import { GoogleAuth } from 'google-auth-library';
 * const canceller = createCanceller({ auth: new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform' }) });
 * ```
 */
export interface AuthClientLike {
  /** The headers to send with a request to `url`: an `authorization` header above all. */
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

export interface CredentialOptions {
  /** Auth client to use instead of Application Default Credentials. */
  auth?: AuthClientLike | undefined;
  /** PEM roots to trust instead of the system's (private endpoints, tests). */
  rootCerts?: Buffer | undefined;
  /** OAuth scopes for ADC; the service's own scopes by default. */
  scopes: readonly string[];
  universeDomain?: string | undefined;
}

/**
 * Channel credentials for an endpoint: TLS + per-call OAuth for secure endpoints, plaintext
 * with no credentials at all for the emulator. ADC is created lazily, on the first token the
 * channel asks for, so building a client resolves nothing and probes nothing.
 * grpc-js refuses to attach call credentials to an insecure channel, which is what we want.
 */
export function createChannelCredentials(
  endpoint: Endpoint,
  options: CredentialOptions,
): grpc.ChannelCredentials {
  if (!endpoint.secure) return grpc.credentials.createInsecure();
  const ssl = grpc.credentials.createSsl(options.rootCerts ?? null);
  const provider = options.auth ?? lazyApplicationDefault(options.scopes, options.universeDomain);
  const callCredentials = grpc.credentials.createFromGoogleCredential({
    getRequestHeaders: async (url?: string) =>
      rememberCredentials(headersToRecord(await provider.getRequestHeaders(url))),
  });
  return grpc.credentials.combineChannelCredentials(ssl, callCredentials);
}

function lazyApplicationDefault(
  scopes: readonly string[],
  universeDomain: string | undefined,
): AuthClientLike {
  let auth: AuthClientLike | undefined;
  return {
    getRequestHeaders(url?: string) {
      if (!auth) {
        // Loaded here, not at the top: emulator mode never needs the auth stack.
        const { GoogleAuth } = require('google-auth-library') as typeof import('google-auth-library');
        auth = new GoogleAuth({ scopes: [...scopes], ...(universeDomain ? { universeDomain } : {}) });
      }
      return auth.getRequestHeaders(url);
    },
  };
}

/** Every credential header value (and the token inside it) is remembered, so nothing lro-cancel writes can show it. */
function rememberCredentials(headers: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(headers)) {
    if (!/authorization|token|api-key/i.test(key) || typeof value !== 'string') continue;
    rememberSecret(value);
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token) rememberSecret(token);
  }
  return headers;
}

function headersToRecord(headers: Headers | Record<string, string>): Record<string, string> {
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    const out: Record<string, string> = {};
    (headers as Headers).forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  return headers as Record<string, string>;
}
