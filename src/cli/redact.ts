const SECRET_KEYS = '(?:access_token|refresh_token|id_token|client_secret|private_key)';

/**
 * Remove anything that looks like a credential from text the CLI prints (server messages,
 * error stacks). lro-cancel never prints tokens on purpose; this catches ones that arrive
 * inside someone else's message.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/gi, '$1[redacted]')
    .replace(/\bya29\.[A-Za-z0-9._~+/-]+/g, '[redacted]')
    .replace(new RegExp(`("${SECRET_KEYS}"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*`, 'gi'), '$1[redacted]')
    .replace(new RegExp(`\\b(${SECRET_KEYS}\\s*=\\s*)[^\\s&,;]+`, 'gi'), '$1[redacted]');
}
