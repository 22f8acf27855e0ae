import { readFileSync } from 'node:fs';
import { CredentialError, type CredentialEnv } from './credential-source';

/*
 * Which CAs a TLS connection trusts, and the mTLS switch, decided once for every transport:
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

/**
 * GOOGLE_API_USE_CLIENT_CERTIFICATE=true asks Google's client libraries for mTLS with the
 * device's certificate (google-gax's own stubs); lro-cancel makes its own channels and has no
 * client certificate support, so the setting is refused rather than silently dropped.
 * @throws CredentialError when it is "true"
 */
export function checkClientCertificateSetting(env: CredentialEnv = process.env): void {
  const v = env.GOOGLE_API_USE_CLIENT_CERTIFICATE;
  if (v === undefined || v === '' || v.toLowerCase() === 'false') return;
  throw new CredentialError(
    `GOOGLE_API_USE_CLIENT_CERTIFICATE=${v}: lro-cancel does not support client certificates (mTLS); unset the variable (or set it to false) to use TLS with OAuth credentials`,
  );
}
