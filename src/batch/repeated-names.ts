import { Code, codeName, parseCode } from '../errors/status-code';
import { makeRecord, type BatchRecord } from './batch-record';
import { SeenNames } from './seen-names';

/** A name seen before: its result is known (`record`), or its first line is still out (`waiting`). */
export type Repeat = { record: BatchRecord } | { waiting: true };

/**
 * A batch's repeated names: each distinct (service, name) is sent once, and every later line of it
 * gets a record with the first line's outcome and code (`duplicateOf`), at once when that is known,
 * else as soon as the first line's record is out.
 */
export class RepeatedNames {
  private readonly seen = new SeenNames();
  /** First-line entry → the lines waiting for its record. */
  private readonly waiting = new Map<number, number[]>();
  /** Lines waiting, in all (the reader waits while there are too many). */
  waitingLines = 0;

  /**
   * The name on `line`: a number (its entry, to pass to `settle`) when it is new and must be
   * sent, else what its repeat gets.
   */
  check(line: number, service: string, name: string): number | Repeat {
    const first = this.seen.lookupOrAdd(service, name, line);
    if (first === -1) return this.seen.size - 1;
    const done = this.seen.resultOf(first);
    if (done)
      return {
        record: repeatRecord(line, name, service, done.outcome, codeName(done.code), this.seen.lineOf(first)),
      };
    const lines = this.waiting.get(first);
    if (lines) lines.push(line);
    else this.waiting.set(first, [line]);
    this.waitingLines++;
    return { waiting: true };
  }

  /** Entry `id`'s first line has its record `rec`: the records of the lines that waited for it. */
  settle(id: number, rec: BatchRecord): BatchRecord[] {
    this.seen.settle(id, rec.outcome, rec.code === 'OK' ? Code.OK : (parseCode(rec.code) ?? Code.UNKNOWN));
    const lines = this.waiting.get(id);
    if (!lines) return [];
    this.waiting.delete(id);
    this.waitingLines -= lines.length;
    return lines.map((line) =>
      repeatRecord(line, rec.name, rec.service, rec.outcome, rec.code, rec.line ?? 0),
    );
  }
}

/**
 * The record of a line whose (service, name) an earlier line sent: that call's outcome and code,
 * with no attempts of its own, and the line whose record tells the rest.
 */
function repeatRecord(
  line: number,
  name: string,
  service: string,
  outcome: BatchRecord['outcome'],
  code: BatchRecord['code'],
  firstLine: number,
): BatchRecord {
  const r = makeRecord(
    line,
    name,
    service,
    outcome,
    code,
    `same operation as line ${firstLine}, which was sent once; this is its result`,
    0,
    0,
  );
  r.duplicateOf = firstLine;
  return r;
}
