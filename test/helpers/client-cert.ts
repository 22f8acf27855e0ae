import { generate } from 'selfsigned';

/** A self-signed client certificate (its own CA: a server trusts exactly it), made fresh for a test. */
export async function makeClientCert(): Promise<{ cert: Buffer; key: Buffer }> {
  const pems = await generate([{ name: 'commonName', value: 'lro-cancel test device' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { cert: Buffer.from(pems.cert), key: Buffer.from(pems.private) };
}
