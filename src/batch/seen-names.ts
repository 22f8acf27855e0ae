import { OUTCOMES, type Outcome } from '../outcome';

/**
 * Every (service, name) a batch has sent, so a name that appears on several lines is sent
 * once. Held in typed arrays, not a Map of strings: a batch may hold millions of distinct names,
 * and a name is a hundred characters or more. Each entry is a 64-bit hash of service and name,
 * the line that sent it and, once known, its outcome and status code: ~22 bytes per name
 * (2,000,000 names ≈ 45 MB, 2x while the arrays double). With 64 bits, two of 2,000,000
 * distinct names share a hash with a probability of about 1 in 10 million.
 */
export class SeenNames {
  // Entries, by insertion index (stable: the table below stores indices, so growth moves nothing).
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private lines = new Uint32Array(1024);
  /** OUTCOMES index + 1; 0 while the first line's call is still out. */
  private outcomes = new Uint8Array(1024);
  private codes = new Uint8Array(1024);
  private count = 0;
  /** Open addressing, linear probing: entry index + 1, 0 for an empty slot. Load kept <= 1/2. */
  private table = new Int32Array(2048);

  get size(): number {
    return this.count;
  }

  /** The entry of (service, name), or -1 after adding it (entry `size - 1`) as sent by `line`. */
  lookupOrAdd(service: string, name: string, line: number): number {
    hash64(service, name);
    const h = HASH[0] as number;
    const l = HASH[1] as number;
    const mask = this.table.length - 1;
    for (let slot = (h ^ l) & mask; ; slot = (slot + 1) & mask) {
      const at = this.table[slot] as number;
      if (at === 0) {
        this.add(slot, h, l, line);
        return -1;
      }
      if (this.hi[at - 1] === h && this.lo[at - 1] === l) return at - 1;
    }
  }

  /** The line that sent entry `id`. */
  lineOf(id: number): number {
    return this.lines[id] as number;
  }

  /** The outcome and code of entry `id` once its record is out; undefined while in flight. */
  resultOf(id: number): { outcome: Outcome; code: number } | undefined {
    const o = this.outcomes[id] as number;
    return o === 0 ? undefined : { outcome: OUTCOMES[o - 1] as Outcome, code: this.codes[id] as number };
  }

  /** Record the outcome of entry `id` (its first line's record is out). */
  settle(id: number, outcome: Outcome, code: number): void {
    this.outcomes[id] = OUTCOMES.indexOf(outcome) + 1;
    this.codes[id] = code;
  }

  private add(slot: number, h: number, l: number, line: number): void {
    const id = this.count++;
    if (id === this.hi.length) this.growEntries();
    this.hi[id] = h;
    this.lo[id] = l;
    this.lines[id] = line;
    this.table[slot] = id + 1;
    if (this.count * 2 > this.table.length) this.rehash();
  }

  private growEntries(): void {
    const n = this.hi.length * 2;
    this.hi = grow(this.hi, new Uint32Array(n));
    this.lo = grow(this.lo, new Uint32Array(n));
    this.lines = grow(this.lines, new Uint32Array(n));
    this.outcomes = grow(this.outcomes, new Uint8Array(n));
    this.codes = grow(this.codes, new Uint8Array(n));
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = ((this.hi[id] as number) ^ (this.lo[id] as number)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
  }
}

function grow<T extends Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** The last hash64 result: two 32-bit halves (no array allocated per name). */
const HASH = new Uint32Array(2);

/**
 * A 64-bit non-cryptographic hash of service and name (two multiply-xorshift lanes that mix
 * into each other at the end, in the manner of cyrb53). Names come from the user's own input,
 * so a collision is an accident, not an attack that matters: the worst it does is report one
 * name with another's result.
 */
function hash64(service: string, name: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < service.length; i++) {
    const c = service.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ 0xff, 2654435761); // a separator: ('ab', 'c') and ('a', 'bc') differ
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  HASH[0] = h1;
  HASH[1] = h2;
}
