/**
 * What to do next, for the failures a new user meets before any server has answered: a Google
 * host that does not resolve (offline, or meant to use the emulator), no Application Default
 * Credentials, TLS spoken to a plaintext port, a certificate the client does not trust.
 *
 * Recognised from grpc-js's (and Node's, and google-auth-library's) own wording, which is all
 * they give: a status code plus text. The hint is one line of our own text, added beside the
 * error's message (`OperationsError.hint`), never instead of it. A server could send such text
 * itself; the worst it gets is a hint shown beside its message.
 */

/** grpc-js: `Name resolution failed for target dns:dataplex.googleapis.com:443`. */
const NAME_RESOLUTION =
  /Name resolution failed for target (?:dns:)?(?:\/\/[^/]*\/)?\[?([^\s\]]+?)\]?(?::\d+)?(?:\s|$)/;

/** Node's resolver errors, as a code or in a message (`getaddrinfo ENOTFOUND host`). */
const DNS_FAILURE = /\b(?:ENOTFOUND|EAI_AGAIN)\s+([^\s:]+)/;

/** OpenSSL's wording when a TLS client reads a reply that is not TLS (a plaintext HTTP/2 server). */
const NOT_TLS = /wrong version number|packet length too long/i;

/** Node/OpenSSL's wordings for a certificate chain the client does not trust. */
const UNTRUSTED =
  /self[- ]signed certificate|unable to get (?:local )?issuer certificate|unable to verify the first certificate|certificate (?:has expired|is not yet valid)|\b(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|CERT_UNTRUSTED)\b/;

/** Node: the certificate is valid but for another name. */
const WRONG_HOST = /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/;

/** google-auth-library: ADC found nothing, or GOOGLE_APPLICATION_CREDENTIALS names a file it cannot read. */
const NO_ADC = /Could not load the default credentials/;
const ADC_FILE_UNREADABLE = /GOOGLE_APPLICATION_CREDENTIALS environment variable/;

/**
 * grpc-js, for a wait-for-ready call whose channel never connected before the deadline
 * (`Deadline exceeded after 4s,name resolution: 0.001s,wait_for_ready,Waiting for LB pick`): the
 * cause (DNS, refused, TLS) is not in the text, only that no connection was made.
 */
const NEVER_CONNECTED = /^Deadline exceeded after .*wait_for_ready.*Waiting for LB pick/;

/** lro-cancel's own REST proxy failure (transport/proxy.ts): `proxy http://h:p (from https_proxy) answered 407 …`. */
const PROXY = /^proxy \S+ \(from (grpc_proxy|https_proxy|http_proxy)\) /;

const EMULATOR =
  'run an emulator (lro-cancel emulator) and pass --emulator HOST:PORT or set LRO_CANCEL_EMULATOR_HOST (library: emulator)';

/**
 * The likely fix for a failure, as one line, or undefined when none of the known causes fits.
 * `text` is the failure's message (grpc-js details, or a Node error's message); `code` a Node
 * system error code found on it, if any.
 */
export function hintFor(text: string, code?: string): string | undefined {
  const dns =
    NAME_RESOLUTION.exec(text)?.[1] ??
    (code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? (DNS_FAILURE.exec(text)?.[1] ?? '') : undefined);
  if (dns !== undefined) return dnsHint(dns);
  const proxy = PROXY.exec(text)?.[1];
  if (proxy) {
    return `the proxy named by ${proxy} refused the tunnel or could not be reached: check its address and credentials in ${proxy}, or list the host in no_proxy (no_grpc_proxy) to go without it`;
  }
  if (NO_ADC.test(text)) {
    return (
      'no Application Default Credentials: run "gcloud auth application-default login" or set GOOGLE_APPLICATION_CREDENTIALS to a key file; to test locally, ' +
      EMULATOR
    );
  }
  if (ADC_FILE_UNREADABLE.test(text)) {
    return 'GOOGLE_APPLICATION_CREDENTIALS names a file that cannot be read: fix or unset it, or run "gcloud auth application-default login"';
  }
  if (NOT_TLS.test(text)) {
    return 'the server speaks plaintext, not TLS: use --emulator HOST:PORT (loopback, plaintext; library: emulator) instead of --endpoint';
  }
  if (UNTRUSTED.test(text)) {
    return "the server's TLS certificate is not trusted: pass its CA's PEM file as --ca-file PEM or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (library: rootCerts), or for a plaintext emulator use --emulator HOST:PORT";
  }
  if (NEVER_CONNECTED.test(text)) {
    return `no connection was made before the deadline (the host did not resolve, refused, or failed TLS; "lro-cancel get NAME" shows which); to test locally, ${EMULATOR}`;
  }
  if (WRONG_HOST.test(text)) {
    return "the server's TLS certificate is for another host name: connect by the name it was issued for (--endpoint NAME:PORT)";
  }
  return undefined;
}

function dnsHint(host: string): string {
  const shown = host ? ` ${host}` : ' the host';
  // A Google host that does not resolve: offline, or a first try meant for the emulator.
  if (/(^|\.)googleapis\.com$/i.test(host))
    return `cannot resolve${shown} (offline, or no DNS?); to test locally, ${EMULATOR}`;
  return `cannot resolve${shown}: check the host name (--endpoint, --service-host) and the network`;
}

/**
 * `message` with `hint` after it, as records and stderr lines show a failure: grpc-js's
 * multi-line text folded onto one line and its empty "Resolution note:" dropped, so that the
 * hint is the end of one line.
 */
export function withHint(message: string, hint: string | undefined): string {
  if (!hint) return message;
  const tidy = message
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .trimEnd();
  return `${tidy}; hint: ${hint}`;
}
