import { mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeLocalhostCert } from '../../helpers/localhost-cert';

/** A self-signed CA/server certificate for "localhost" and 127.0.0.1, written to a temp dir. */
export async function makeTlsFiles(): Promise<{
  dir: string;
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
}> {
  const { cert, key } = await makeLocalhostCert();
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-security-'));
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'key.pem');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key);
  return { dir, cert, key, certFile, keyFile };
}

/**
 * A fake Security Token Service on 127.0.0.1, and an Application Default Credentials file of
 * type external_account that points at it: google-auth-library exchanges the subject token for
 * `accessToken` there, so the real ADC path of the CLI runs with a known token and no network.
 */
export async function startFakeSts(
  dir: string,
  accessToken: string,
  subjectToken: string,
): Promise<{ adcFile: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      requests.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          access_token: accessToken,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const subjectFile = path.join(dir, 'subject-token.jwt');
  writeFileSync(subjectFile, subjectToken);
  const adcFile = path.join(dir, 'adc.json');
  writeFileSync(
    adcFile,
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/test',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `http://127.0.0.1:${port}/v1/token`,
      credential_source: { file: subjectFile },
    }),
  );
  return { adcFile, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Every verbose switch we know of: grpc-js tracing, Google SDK logging, Node's own debug output. */
export const VERBOSE_ENV = {
  GRPC_TRACE: 'all',
  GRPC_VERBOSITY: 'DEBUG',
  GOOGLE_SDK_NODE_LOGGING: 'all',
  NODE_DEBUG: 'http2,tls',
};
