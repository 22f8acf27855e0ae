/** Milliseconds per unit a duration may use. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longest duration accepted (a day): beyond it a timer would be a typo, not a wish. */
export const MAX_DURATION_MS = 86_400_000;

/** Longest age accepted (`--older-than`): ten years. */
export const MAX_AGE_MS = 3650 * 86_400_000;

/**
 * Parse a duration such as `500ms`, `30s`, `1.5s`, `2m`, `1h`, `2d` or `1m30s` into milliseconds.
 * A unit is required (a bare `30` is ambiguous). Returns an error message instead of throwing,
 * so the caller can name the flag: `{ ms }` or `{ error }`.
 */
export function parseDuration(
  text: string,
  maxMs: number = MAX_DURATION_MS,
): { ms: number } | { error: string } {
  const t = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    const m = part.exec(t);
    if (m === null) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = part.lastIndex;
  }
  if (t.length === 0 || pos !== t.length) {
    const hint = /^\d+(\.\d+)?$/.test(t) ? ` (add a unit: "${t}s" or "${t}ms")` : '';
    return { error: `"${text}" is not a duration such as 500ms, 30s, 2m or 1h${hint}` };
  }
  if (total > maxMs)
    return {
      error: `"${text}" is longer than the limit of ${maxMs === MAX_DURATION_MS ? '24h' : `${maxMs / 86_400_000}d`}`,
    };
  return { ms: Math.round(total) };
}
