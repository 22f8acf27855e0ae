import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialError, type CredentialEnv } from './credential-source';

/*
 * mTLS the way Google's client libraries do it (AIP-4114): GOOGLE_API_USE_CLIENT_CERTIFICATE=true
 * takes the device's certificate from the cert provider command named in
 * ~/.secureConnect/context_aware_metadata.json, and the default hosts become *.mtls.googleapis.com
 * (GOOGLE_API_USE_MTLS_ENDPOINT: auto (default), always, never). google-gax does this only for
 * the stubs it builds its own credentials for; lro-cancel builds its own, so it does it here, once
 * for every transport.
 */

/**
 * A client certificate and its private key (PEM), for mTLS.
 *
 * @example
 * ```ts
 * const canceller = createCanceller({ clientCertificate: { cert: readFileSync('c.pem'), key: readFileSync('k.pem') } });
 * ```
 */
export interface ClientCertificate {
  /** PEM certificate chain. */
  cert: Buffer;
  /** PEM private key. */
  key: Buffer;
}

/** What the mTLS variables ask for. @throws CredentialError for a value that is not one of theirs */
export function mtlsSettings(env: CredentialEnv = process.env): {
  useClientCertificate: boolean;
  endpoint: 'auto' | 'always' | 'never';
} {
  const use = (env.GOOGLE_API_USE_CLIENT_CERTIFICATE ?? '').toLowerCase();
  if (use !== '' && use !== 'true' && use !== 'false')
    throw new CredentialError(
      `GOOGLE_API_USE_CLIENT_CERTIFICATE="${env.GOOGLE_API_USE_CLIENT_CERTIFICATE}" must be true or false`,
    );
  const endpoint = (env.GOOGLE_API_USE_MTLS_ENDPOINT || 'auto').toLowerCase();
  if (endpoint !== 'auto' && endpoint !== 'always' && endpoint !== 'never')
    throw new CredentialError(
      `GOOGLE_API_USE_MTLS_ENDPOINT="${env.GOOGLE_API_USE_MTLS_ENDPOINT}" must be auto, always or never`,
    );
  return { useClientCertificate: use === 'true', endpoint };
}

/** `dataplex.googleapis.com` → `dataplex.mtls.googleapis.com` (hosts of other domains are left as they are). */
export function mtlsHost(host: string): string {
  return host.replace(/\.googleapis\.com$/, '.mtls.googleapis.com');
}

const CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;
const KEY = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA |EC )?PRIVATE KEY-----/;

/**
 * The device certificate: runs the `cert_provider_command` of
 * `<home>/.secureConnect/context_aware_metadata.json` and takes the first certificate and
 * private key it prints.
 * @throws CredentialError naming the file or command and the fix
 */
export async function loadClientCertificate(
  home: string = process.env.HOME || os.homedir(),
): Promise<ClientCertificate> {
  const metadataFile = path.join(home, '.secureConnect', 'context_aware_metadata.json');
  const fix = 'set up endpoint verification (gcloud), or unset GOOGLE_API_USE_CLIENT_CERTIFICATE';
  let command: unknown;
  try {
    command = (JSON.parse(await readFile(metadataFile, 'utf8')) as { cert_provider_command?: unknown })
      .cert_provider_command;
  } catch (e) {
    throw new CredentialError(
      `GOOGLE_API_USE_CLIENT_CERTIFICATE=true needs ${metadataFile}: ${(e as Error).message}; ${fix}`,
    );
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string'))
    throw new CredentialError(`${metadataFile} has no cert_provider_command (a list of strings); ${fix}`);
  const [file, ...args] = command as string[];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(file as string, args, { timeout: 30_000, maxBuffer: 1 << 20 }, (err, out) => {
      if (err) reject(new CredentialError(`cert_provider_command ${file} failed: ${err.message}`));
      else resolve(out);
    });
  });
  const cert = CERT.exec(stdout)?.[0];
  const key = KEY.exec(stdout)?.[0];
  if (!cert || !key)
    throw new CredentialError(`cert_provider_command ${file} printed no PEM certificate and private key`);
  return { cert: Buffer.from(cert), key: Buffer.from(key) };
}
