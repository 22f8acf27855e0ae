/**
 * Redaction: the one module that keeps credentials out of text. Below errors/ and transport/ (both
 * use it) and applied twice: where server text enters (translate-grpc-error) and where output is
 * written (the batch record sink, the CLI's stderr lines, grpc-js log lines when asked).
 */
// snake_case as OAuth sends them, camelCase as the IAM Credentials API does (`accessToken`).
const SECRET_KEYS =
  '(?:access_token|refresh_token|id_token|client_secret|private_key|accessToken|refreshToken|idToken)';

/** Credentials lro-cancel handed to grpc-js in this process (newest last), redacted verbatim wherever they show up. */
const known: string[] = [];
const MAX_KNOWN = 32;

/**
 * Remember a credential value lro-cancel attached to a call (an `authorization` header, or the
 * token inside it), so that redactSecrets removes it from any text, whatever its shape around
 * it: a trace line, a server message echoing it, percent-encoded in a grpc-message trailer.
 */
export function rememberSecret(value: string): void {
  // Short values (a scheme name, an empty header) would redact ordinary words.
  if (value.length < 8 || known.includes(value)) return;
  known.push(value);
  if (known.length > MAX_KNOWN) known.shift();
}

/**
 * Remove anything that looks like a credential from text lro-cancel writes (server messages,
 * error stacks, records, grpc-js log lines). lro-cancel never writes tokens on purpose; this
 * catches ones that arrive inside someone else's text: a server echoing a header, a trace
 * printing metadata. Tokens this process sent are removed verbatim (rememberSecret); other
 * token-shaped text by pattern.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('[redacted]');
  }
  return (
    out
      // Any authorization-like header as JSON (grpc-js prints metadata as {"authorization":["..."]}) ...
      .replace(/("[\w-]*authorization[\w-]*"\s*:\s*\[?\s*")(?:[^"\\]|\\.)*/gi, '$1[redacted]')
      // ... or as a header line ("authorization: Basic ...").
      .replace(/(\b[\w-]*authorization[\w-]*\s*[:=]\s*)(?!["[\s])[^\r\n,;}\]]+/gi, '$1[redacted]')
      // "Bearer <token>", also percent-encoded (a grpc-message trailer in a trace).
      .replace(/(?<![A-Za-z])(Bearer(?:\s|%20|\+)+)[A-Za-z0-9._~+/-]+=*/gi, '$1[redacted]')
      .replace(/\bya29\.[A-Za-z0-9._~+/-]+/g, '[redacted]')
      .replace(new RegExp(`("${SECRET_KEYS}"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*`, 'gi'), '$1[redacted]')
      .replace(
        new RegExp(`(%22${SECRET_KEYS}%22(?:%3A|:)(?:%20)*%22)[A-Za-z0-9._~+/-]+`, 'gi'),
        '$1[redacted]',
      )
      .replace(new RegExp(`\\b(${SECRET_KEYS}\\s*=\\s*)[^\\s&,;]+`, 'gi'), '$1[redacted]')
  );
}
