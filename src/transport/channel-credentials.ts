import type { ClientCertificate } from '../auth/client-certificate';
import type { CredentialSource } from '../auth/credential-source';
import type { Endpoint } from './endpoint';
import { grpc } from './grpc';

export type { AuthClientLike } from '../auth/credential-source';

export interface CredentialOptions {
  /** Where each call's headers come from (authorization, x-goog-user-project). */
  source: CredentialSource;
  /** PEM roots to trust instead of the system's (private endpoints, tests). */
  rootCerts?: Buffer | undefined;
  /** Universe domain of the endpoint (google-gax's check). */
  universeDomain?: string | undefined;
  /** The client certificate for mTLS, loaded when the first channel is made; none for plain TLS. */
  clientCertificate?: (() => Promise<ClientCertificate>) | undefined;
}

/**
 * Channel credentials for an endpoint: TLS + per-call headers from the credential source for
 * secure endpoints, plaintext with no credentials at all for the emulator. The source resolves
 * nothing until the channel asks for the first call's headers.
 * grpc-js refuses to attach call credentials to an insecure channel, which is what we want; and
 * it asks for them only once the TLS handshake has succeeded, so an untrusted server gets nothing.
 */
export function createChannelCredentials(
  endpoint: Endpoint,
  options: CredentialOptions,
  clientCertificate?: ClientCertificate,
): grpc.ChannelCredentials {
  if (!endpoint.secure) return grpc.credentials.createInsecure();
  const ssl = grpc.credentials.createSsl(
    options.rootCerts ?? null,
    clientCertificate?.key ?? null,
    clientCertificate?.cert ?? null,
  );
  const source = options.source;
  const callCredentials = grpc.credentials.createFromGoogleCredential({
    getRequestHeaders: (url?: string) => source.requestHeaders(url),
  });
  return grpc.credentials.combineChannelCredentials(ssl, callCredentials);
}
