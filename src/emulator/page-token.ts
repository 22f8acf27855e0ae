import { createHash } from 'node:crypto';

/**
 * ListOperations page tokens: opaque to clients, and valid only for the list they came from
 * (same service, parent name and filter), as Google's design guide asks. A token carries the
 * offset into that list and a digest of the query; anything else (a bare offset, another
 * filter's token, padding, spaces) does not decode.
 */

interface TokenQuery {
  readonly service: string;
  readonly parent: string;
  readonly filter: string;
}

const TOKEN = /^([0-9a-f]{16})\.([1-9][0-9]{0,8})$/;

function digest(q: TokenQuery): string {
  return createHash('sha256').update(`${q.service}\n${q.parent}\n${q.filter}`).digest('hex').slice(0, 16);
}

/** The token of the page starting at `offset` (> 0) of the list `q`. */
export function encodePageToken(q: TokenQuery, offset: number): string {
  return Buffer.from(`${digest(q)}.${offset}`).toString('base64url');
}

/** The offset a token stands for, or undefined when it does not decode or belongs to another list. */
export function decodePageToken(q: TokenQuery, token: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('latin1');
  // base64url round trip: rejects tokens with trailing bits that decode the same.
  if (Buffer.from(decoded, 'latin1').toString('base64url') !== token) return undefined;
  const m = TOKEN.exec(decoded);
  if (!m || m[1] !== digest(q)) return undefined;
  return Number(m[2]);
}
