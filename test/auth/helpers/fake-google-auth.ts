import { mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** One request the fake endpoints received. */
export interface AuthRequest {
  path: string;
  authorization: string | undefined;
  body: string;
}

/**
 * Google's token endpoints, faked on 127.0.0.1 (test infrastructure; lro-cancel itself sends
 * credentials only over TLS): an STS (`POST /v1/token`, the token exchange of an
 * external_account ADC file) answering `stsToken`, and the IAM Credentials API
 * (`POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`) answering `iam:EMAIL:<n>`.
 */
export interface FakeGoogleAuth {
  url: string;
  requests: AuthRequest[];
  dir: string;
  /** Write an external_account ADC file whose token exchange comes here; extra fields merged in. */
  adcFile(extra?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export async function startFakeGoogleAuth(stsToken: string): Promise<FakeGoogleAuth> {
  const requests: AuthRequest[] = [];
  let minted = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const url = req.url ?? '';
      requests.push({ path: url, authorization: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      const iam = /^\/v1\/projects\/-\/serviceAccounts\/([^:]+):generateAccessToken$/.exec(url);
      if (iam) {
        res.end(
          JSON.stringify({
            accessToken: `iam:${decodeURIComponent(iam[1] as string)}:${++minted}`,
            expireTime: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        );
        return;
      }
      if (url === '/v1/token') {
        res.end(
          JSON.stringify({
            access_token: stsToken,
            issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            token_type: 'Bearer',
            expires_in: 3600,
          }),
        );
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-auth-'));
  const subjectFile = path.join(dir, 'subject-token.jwt');
  writeFileSync(subjectFile, 'eyJGQUtF.subject.c2ln');
  let files = 0;
  return {
    url,
    requests,
    dir,
    adcFile(extra = {}) {
      const file = path.join(dir, `adc-${++files}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          type: 'external_account',
          audience:
            '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/test',
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          token_url: `${url}/v1/token`,
          credential_source: { file: subjectFile },
          ...extra,
        }),
      );
      return file;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Set environment variables for the duration of `fn` (ADC is read from process.env). */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
