import { readFileSync } from 'node:fs';
import { CredentialError, type CredentialEnv } from './credential-source';

/*
 * Which CAs a TLS connection trusts, decided once for every transport:
 * grpc-js reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH on its own, an HTTP client does not, so the
 * file is read here and handed to both as explicit roots.
 */

/**
 * PEM roots to trust instead of the system's: `rootCerts`, else the file `caFile`, else the
 * file GRPC_DEFAULT_SSL_ROOTS_FILE_PATH names; undefined for the system's roots.
 * @throws CredentialError for a file that cannot be read or holds no certificate
 */
export function resolveRootCerts(
  rootCerts: Buffer | undefined,
  caFile: string | undefined,
  env: CredentialEnv = process.env,
): Buffer | undefined {
  if (rootCerts !== undefined) return rootCerts;
  const file = caFile ?? (env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH || undefined);
  if (file === undefined) return undefined;
  const what = caFile !== undefined ? 'CA file' : 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH';
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new CredentialError(`${what} ${file}: ${(e as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new CredentialError(`${what} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}
