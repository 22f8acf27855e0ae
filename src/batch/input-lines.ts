/** One input line, classified. */
export type InputLine = { kind: 'skip'; line: number } | { kind: 'name'; line: number; text: string };

/**
 * Normalise one raw input line: strip a UTF-8 BOM on line 1 and a trailing CR (CRLF input),
 * trim spaces around the name; blank lines and `#` comments are skipped (but still counted).
 */
export function classifyLine(raw: string, line: number): InputLine {
  let t = raw;
  if (line === 1 && t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  if (t.endsWith('\r')) t = t.slice(0, -1);
  t = t.trim();
  if (t === '' || t.startsWith('#')) return { kind: 'skip', line };
  return { kind: 'name', line, text: t };
}
