import { createCredentialSource, type CredentialDescription } from '../../auth/credential-source';
import { mtlsSettings } from '../../auth/client-certificate';
import { redactSecrets } from '../../redaction/redact-secrets';
import { findService, services, type ServiceDescriptor } from '../../registry/service-registry';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';
import { credentialOptionsFrom, type ConnectionOptions } from './connection';

/** Options of `lro-cancel auth`. */
export interface AuthCommandOptions extends ConnectionOptions {
  /** Print one JSON object instead of lines. */
  json?: boolean;
}

/** What `auth` reports: the credentials' description, the TLS settings and the scopes per service. */
interface AuthReport extends CredentialDescription {
  ca: string;
  clientCertificate: string;
  scopes: Record<string, string[]>;
}

const FIX =
  'no credentials found. Fix: run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a credentials file, or pass --access-token-file FILE';

/**
 * Which credentials the calls would use: the source, the principal, the quota project, the
 * universe domain, the CA and client certificate, and the scopes per service. Asks for no token
 * (nothing leaves the machine) and never prints one. Exit 1 with the fix when none is found.
 */
export async function authCommand(options: AuthCommandOptions, io: CommandIO): Promise<number> {
  const creds = credentialOptionsFrom(options, io, 'auth', false);
  const universeDomain = io.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN || undefined;
  // connectionOptions has checked --service: a built-in id.
  const list: ServiceDescriptor[] =
    options.service !== undefined
      ? [findService(options.service) as ServiceDescriptor]
      : Object.values(services);
  const source = createCredentialSource(
    {
      accessTokenFile: creds.accessTokenFile,
      impersonate: creds.impersonate,
      iamCredentialsEndpoint: creds.iamCredentialsEndpoint,
      quotaProject: creds.quotaProject,
      universeDomain,
      env: io.env,
    },
    list[0]?.scopes ?? [],
  );
  let description: CredentialDescription;
  try {
    description = await source.describe();
  } catch (e) {
    io.stderr.write(
      `lro-cancel auth: ${FIX}\n  (${redactSecrets((e as Error).message.split('\n')[0] ?? '')})\n`,
    );
    return ExitCode.FAILURE;
  }
  if (description.quotaProjectFrom === 'quotaProject')
    description.quotaProjectFrom =
      options.billingProject !== undefined ? '--billing-project' : 'GOOGLE_CLOUD_QUOTA_PROJECT';
  const caFile = options.caFile ?? (io.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH || undefined);
  const report: AuthReport = {
    ...description,
    ca:
      caFile === undefined
        ? 'system roots'
        : `${caFile} (${options.caFile !== undefined ? '--ca-file' : 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH'})`,
    clientCertificate: mtlsSettings(io.env).useClientCertificate
      ? 'device certificate (GOOGLE_API_USE_CLIENT_CERTIFICATE=true)'
      : 'none',
    scopes: Object.fromEntries(list.map((s) => [s.id, [...s.scopes]])),
  };
  io.stdout.write(options.json ? `${JSON.stringify(report)}\n` : text(report));
  return ExitCode.OK;
}

function text(r: AuthReport): string {
  const rows: [string, string][] = [['source', r.source + (r.type ? ` (${r.type})` : '')]];
  if (r.origin) rows.push(['from', r.origin]);
  rows.push(['principal', r.principal ?? '(not known without asking for a token)']);
  if (r.impersonate)
    rows.push([
      'impersonating',
      r.impersonate.target +
        (r.impersonate.delegates.length ? ` via ${r.impersonate.delegates.join(', ')}` : ''),
    ]);
  rows.push(['quota project', r.quotaProject ? `${r.quotaProject} (${r.quotaProjectFrom})` : 'none']);
  rows.push(['universe', r.universeDomain], ['ca', r.ca], ['client cert', r.clientCertificate]);
  const width =
    Math.max(...rows.map(([k]) => k.length), ...Object.keys(r.scopes).map((k) => k.length + 2)) + 2;
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}${v}`);
  lines.push('scopes');
  for (const [id, scopes] of Object.entries(r.scopes))
    lines.push(`  ${id.padEnd(width - 2)}${scopes.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
