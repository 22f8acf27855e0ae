import { readFile } from 'node:fs/promises';
import { rememberSecret } from '../redaction/redact-secrets';

/*
 * Where a call's credentials come from, for any transport: gRPC turns `requestHeaders` into call
 * credentials (src/transport/channel-credentials.ts), an HTTP transport sends the same headers.
 * One source per set of scopes (per service); it caches its token, so build it once and reuse it.
 */

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

/** Environment variables a credential source reads (process.env unless the CLI passes its own). */
export type CredentialEnv = Readonly<Record<string, string | undefined>>;

/** How credentials are chosen; at most one of `auth`, `accessToken`, `accessTokenFile`. */
export interface CredentialSettings {
  /** Auth client to use instead of Application Default Credentials. */
  auth?: AuthClientLike | undefined;
  /** A bearer token sent as it is (it is never refreshed). */
  accessToken?: string | undefined;
  /**
   * File holding a bearer token (gcloud's `--access-token-file`). Read at the first call; read
   * again once when a call is answered UNAUTHENTICATED, and the call retried if it changed.
   */
  accessTokenFile?: string | undefined;
  /**
   * Service account to impersonate over the source credentials (ADC or an access token), or a
   * delegation chain as gcloud takes it: the last account is the target, those before it the
   * delegates, each allowed to mint tokens for the next.
   */
  impersonate?: string | readonly string[] | undefined;
  /** Base URL of the IAM Credentials API for impersonation. Defaults to `https://iamcredentials.<universe>`. */
  iamCredentialsEndpoint?: string | undefined;
  /** Project billed for quota (`x-goog-user-project`): over GOOGLE_CLOUD_QUOTA_PROJECT and the ADC file's `quota_project_id`. */
  quotaProject?: string | undefined;
  universeDomain?: string | undefined;
  /** Defaults to process.env. */
  env?: CredentialEnv | undefined;
}

/** What `describe` tells: everything about the credentials but the token. */
export interface CredentialDescription {
  /** 'access-token-file', 'access-token', 'auth-client', or 'application-default'. */
  source: 'access-token-file' | 'access-token' | 'auth-client' | 'application-default';
  /** The file (token file, ADC file) or 'metadata server' / 'gcloud well-known file'. */
  origin?: string;
  /** ADC file type: authorized_user, service_account, external_account, ... */
  type?: string;
  /** Service account email, 'user' for a user's credentials, or undefined when unknown. */
  principal?: string;
  /** Target of impersonation and its delegates, when impersonating. */
  impersonate?: { target: string; delegates: string[] };
  quotaProject?: string;
  /** 'quotaProject' (the option; the CLI says --billing-project), 'GOOGLE_CLOUD_QUOTA_PROJECT', 'ADC file quota_project_id'. */
  quotaProjectFrom?: string;
  universeDomain: string;
}

export interface CredentialSource {
  /** Headers for one request to `url`: authorization and, when a quota project is known, x-goog-user-project. */
  requestHeaders(url?: string): Promise<Record<string, string>>;
  /** Bumped each time the token is replaced (token file re-read). */
  readonly generation: number;
  /** True when `renewAfterUnauthenticated` can ever yield a new token (a token file). */
  readonly renewable: boolean;
  /**
   * After an UNAUTHENTICATED answer to a call made at `generation`: true when a different token
   * is now in use (the file was read again and changed, or another call already did so).
   */
  renewAfterUnauthenticated(generation: number): Promise<boolean>;
  /** The source, principal and quota project, resolved without asking for a token. */
  describe(): Promise<CredentialDescription>;
}

/**
 * A bad credential setting: a usage error, raised before any call.
 *
 * @example
 * ```ts
 * try { createCanceller({ accessToken: 't', accessTokenFile: 'f' }); }
 * catch (e) { if (e instanceof CredentialError) console.error(e.message); }
 * ```
 */
export class CredentialError extends Error {
  /** Always 'CredentialError'. */
  override name = 'CredentialError';
}

export const QUOTA_PROJECT_HEADER = 'x-goog-user-project';

/** Check the settings that need no I/O (conflicts, empty values). @throws CredentialError */
export function checkCredentialSettings(settings: CredentialSettings): void {
  const given = (['auth', 'accessToken', 'accessTokenFile'] as const).filter(
    (k) => settings[k] !== undefined,
  );
  if (given.length > 1) throw new CredentialError(`${given.join(' and ')} cannot be combined: give one`);
  if (settings.accessToken !== undefined && !settings.accessToken.trim())
    throw new CredentialError('accessToken is empty');
  if (settings.accessTokenFile !== undefined && !settings.accessTokenFile.trim())
    throw new CredentialError('accessTokenFile is empty');
  if (settings.quotaProject !== undefined && !/^[a-z0-9][a-z0-9.:-]*$/i.test(settings.quotaProject))
    throw new CredentialError(`quota project "${settings.quotaProject}" is not a project id or number`);
  const chain = impersonationChain(settings.impersonate);
  if (chain && settings.auth) throw new CredentialError('impersonate and auth cannot be combined');
  if (settings.iamCredentialsEndpoint !== undefined) checkIamEndpoint(settings.iamCredentialsEndpoint);
}

/** `a@x,b@y` or a list: the chain, target last. @throws CredentialError for an empty entry */
export function impersonationChain(
  impersonate: string | readonly string[] | undefined,
): { target: string; delegates: string[] } | undefined {
  if (impersonate === undefined) return undefined;
  const list = (typeof impersonate === 'string' ? impersonate.split(',') : [...impersonate]).map((s) =>
    s.trim(),
  );
  if (list.length === 0 || list.some((s) => !s.includes('@')))
    throw new CredentialError(
      `impersonate "${[...list].join(',')}" must be service account emails, comma-separated (the last is the target)`,
    );
  return { target: list[list.length - 1] as string, delegates: list.slice(0, -1) };
}

/** Plaintext carries the source token: only to loopback (a test's or a local proxy's endpoint). */
function checkIamEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CredentialError(`iamCredentialsEndpoint "${endpoint}" is not a URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '::1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new CredentialError(
      `iamCredentialsEndpoint "${endpoint}" must be https (plaintext only to loopback): it is sent the source credentials`,
    );
}

/**
 * A credential source for calls that need `scopes`. Nothing is read or resolved until the first
 * request (or `describe`), so building one costs nothing.
 * @throws CredentialError for conflicting settings
 */
export function createCredentialSource(
  settings: CredentialSettings,
  scopes: readonly string[],
): CredentialSource {
  checkCredentialSettings(settings);
  const env = settings.env ?? process.env;
  const universeDomain = settings.universeDomain ?? 'googleapis.com';
  const chain = impersonationChain(settings.impersonate);
  const explicitQuota = settings.quotaProject ?? (env.GOOGLE_CLOUD_QUOTA_PROJECT || undefined);
  const quotaFrom = settings.quotaProject !== undefined ? 'quotaProject' : 'GOOGLE_CLOUD_QUOTA_PROJECT';

  let token: string | undefined = settings.accessToken?.trim();
  let generation = 0;
  let loading: Promise<string> | undefined;
  let reloading: Promise<void> | undefined;
  const tokenFile = settings.accessTokenFile;

  async function readToken(): Promise<string> {
    let text: string;
    try {
      text = await readFile(tokenFile as string, 'utf8');
    } catch (e) {
      throw new CredentialError(`access token file ${tokenFile}: ${(e as Error).message}`);
    }
    const t = text.trim();
    if (!t || /\s/.test(t))
      throw new CredentialError(`access token file ${tokenFile} must hold one token, and nothing else`);
    rememberSecret(t);
    return t;
  }

  async function currentToken(): Promise<string> {
    if (token !== undefined) return token;
    loading ??= readToken().then(
      (t) => {
        token = t;
        return t;
      },
      (e: unknown) => {
        loading = undefined; // a missing file may appear: read again next time
        throw e;
      },
    );
    return loading;
  }

  // Google-auth-library clients, made on first use (emulator mode never loads the auth stack).
  let adc: import('google-auth-library').GoogleAuth | undefined;
  let impersonated: Promise<AuthClientLike> | undefined;
  const gal = (): typeof import('google-auth-library') =>
    require('google-auth-library') as typeof import('google-auth-library');

  function googleAuth(): import('google-auth-library').GoogleAuth {
    adc ??= new (gal().GoogleAuth)({
      scopes: [...(chain ? [CLOUD_PLATFORM] : scopes)],
      ...(settings.universeDomain ? { universeDomain: settings.universeDomain } : {}),
    });
    return adc;
  }

  /** The client under impersonation: an access token, or ADC. */
  async function sourceClient(): Promise<import('google-auth-library').AuthClient> {
    if (token !== undefined || tokenFile !== undefined) {
      const client = new (gal().OAuth2Client)();
      client.setCredentials({ access_token: await currentToken() });
      return client;
    }
    return googleAuth().getClient();
  }

  function impersonatedClient(): Promise<AuthClientLike> {
    impersonated ??= sourceClient().then(
      (source) =>
        quietly(
          () =>
            new (gal().Impersonated)({
              sourceClient: source,
              targetPrincipal: chain?.target as string,
              // The IAM Credentials API names each delegate as a resource.
              delegates: (chain?.delegates ?? []).map((d) => `projects/-/serviceAccounts/${d}`),
              targetScopes: [...scopes],
              lifetime: 3600,
              endpoint: settings.iamCredentialsEndpoint ?? `https://iamcredentials.${universeDomain}`,
            }),
        ),
      (e: unknown) => {
        impersonated = undefined;
        throw e;
      },
    );
    return impersonated;
  }

  /** The quota project of the ADC file, when ADC is the source. */
  async function fileQuota(): Promise<string | undefined> {
    if (settings.auth || token !== undefined || tokenFile !== undefined) return undefined;
    const client = await googleAuth().getClient();
    return (client as { quotaProjectId?: string }).quotaProjectId || undefined;
  }

  async function requestHeaders(url?: string): Promise<Record<string, string>> {
    let headers: Record<string, string>;
    if (chain) {
      headers = headersToRecord(await (await impersonatedClient()).getRequestHeaders(url));
      // Impersonated credentials carry no quota project of their own: the source's file's applies.
      const q = explicitQuota ?? (await fileQuota());
      if (q) headers[QUOTA_PROJECT_HEADER] = q;
    } else if (settings.auth) {
      headers = headersToRecord(await settings.auth.getRequestHeaders(url));
    } else if (token !== undefined || tokenFile !== undefined) {
      headers = { authorization: `Bearer ${await currentToken()}` };
    } else {
      // getRequestHeaders (not a bare token) adds the ADC file's quota_project_id itself.
      headers = headersToRecord(await googleAuth().getRequestHeaders(url));
    }
    if (explicitQuota) headers[QUOTA_PROJECT_HEADER] = explicitQuota;
    return rememberCredentials(headers);
  }

  return {
    requestHeaders,
    get generation() {
      return generation;
    },
    renewable: tokenFile !== undefined && !chain,
    async renewAfterUnauthenticated(used: number): Promise<boolean> {
      if (tokenFile === undefined || chain) return false;
      if (generation !== used) return true;
      reloading ??= readToken()
        .then((t) => {
          if (t !== token) {
            token = t;
            generation++;
          }
        })
        .catch(() => {
          // An unreadable file now: keep the token we have; the call fails as it did.
        })
        .finally(() => {
          reloading = undefined;
        });
      await reloading;
      return generation !== used;
    },
    describe: () => describe(),
  };

  async function describe(): Promise<CredentialDescription> {
    const out: CredentialDescription = { source: 'application-default', universeDomain };
    let adcQuota: string | undefined;
    if (settings.auth) out.source = 'auth-client';
    else if (tokenFile !== undefined) {
      out.source = 'access-token-file';
      out.origin = tokenFile;
      await currentToken(); // a missing or empty file is reported here
    } else if (token !== undefined) out.source = 'access-token';
    else {
      // From the file itself: GoogleAuth.getClient would look the project id up (a metadata
      // server probe, or a token for external accounts), and describing asks for nothing.
      const file = env.GOOGLE_APPLICATION_CREDENTIALS || undefined;
      const found = await readAdcJson(file, env);
      if (found) {
        out.origin = found.path;
        if (found.json.type) out.type = found.json.type;
        const principal = principalOf(found.json);
        if (principal) out.principal = principal;
        adcQuota = found.json.quota_project_id || undefined;
        if (found.json.universe_domain && !settings.universeDomain)
          out.universeDomain = found.json.universe_domain;
      } else {
        // No file: the metadata server, if there is one (else NO_ADC_FOUND is thrown here).
        await googleAuth().getClient();
        out.origin = 'metadata server';
        out.type = 'compute';
      }
    }
    if (chain) {
      out.impersonate = chain;
      out.principal = chain.target; // the calls act as the target
    }
    const quota = explicitQuota ?? adcQuota;
    if (quota) {
      out.quotaProject = quota;
      out.quotaProjectFrom = explicitQuota ? quotaFrom : 'ADC file quota_project_id';
    }
    return out;
  }
}

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * Construct without google-auth-library's console warning that the constructor "does not
 * validate the credential configuration": ours is the user's own flags, and the one URL in it
 * (iamCredentialsEndpoint) is checked above. The library's own switch for it is internal; when a
 * later version drops it, the warning is printed, nothing else changes.
 */
function quietly<T>(make: () => T): T {
  let suppress: ((fn: () => T) => T) | undefined;
  try {
    suppress = (require('google-auth-library/build/src/util') as { suppressAdcWarning?: (fn: () => T) => T })
      .suppressAdcWarning;
  } catch {
    suppress = undefined;
  }
  return typeof suppress === 'function' ? suppress(make) : make();
}

interface AdcJson {
  type?: string;
  client_email?: string;
  service_account_impersonation_url?: string;
  quota_project_id?: string;
  universe_domain?: string;
}

/** gcloud's Application Default Credentials file (CLOUDSDK_CONFIG, else ~/.config/gcloud). */
function wellKnownFile(env: CredentialEnv): string {
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const dir =
    env.CLOUDSDK_CONFIG ||
    (process.platform === 'win32'
      ? path.join(env.APPDATA ?? '', 'gcloud')
      : path.join(env.HOME || os.homedir(), '.config', 'gcloud'));
  return path.join(dir, 'application_default_credentials.json');
}

/**
 * The ADC file: the one GOOGLE_APPLICATION_CREDENTIALS names (which must be readable JSON), else
 * gcloud's well-known file if it is there; undefined for neither.
 * @throws CredentialError for a named file that cannot be read or parsed
 */
async function readAdcJson(
  file: string | undefined,
  env: CredentialEnv,
): Promise<{ path: string; json: AdcJson } | undefined> {
  const p = file ?? wellKnownFile(env);
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch (e) {
    if (file === undefined) return undefined;
    throw new CredentialError(`GOOGLE_APPLICATION_CREDENTIALS ${file}: ${(e as Error).message}`);
  }
  try {
    return { path: p, json: JSON.parse(text) as AdcJson };
  } catch {
    throw new CredentialError(`credentials file ${p} is not JSON`);
  }
}

/** Who the credentials act as, as far as the file says (no token is asked for). */
function principalOf(json: AdcJson): string | undefined {
  if (json.type === 'authorized_user' || json.type === 'external_account_authorized_user') return 'user';
  const impersonated = /serviceAccounts\/([^:/]+):generateAccessToken/.exec(
    json.service_account_impersonation_url ?? '',
  )?.[1];
  if (impersonated) return decodeURIComponent(impersonated);
  return json.client_email || undefined;
}

/** Every credential header value (and the token inside it) is remembered, so nothing lro-cancel writes can show it. */
function rememberCredentials(headers: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(headers)) {
    if (!/authorization|token|api-key/i.test(key) || typeof value !== 'string') continue;
    rememberSecret(value);
    const t = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (t) rememberSecret(t);
  }
  return headers;
}

function headersToRecord(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  // Lower-case keys, so that a quota project set here replaces the client's own, not doubles it.
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
