/**
 * The outcome vocabulary: one keyword per result record, stable across library, CLI and journal.
 *
 * | outcome            | meaning                                                                  | success? |
 * |--------------------|--------------------------------------------------------------------------|----------|
 * | cancel-requested   | the server accepted CancelOperation (cancellation is best effort)        | yes      |
 * | cancelled          | confirmed: the operation ended with error.code = 1 (CANCELLED)           | yes      |
 * | completed          | confirmed: the operation finished with a response despite the cancel     | yes      |
 * | skipped            | a journal from an earlier run already holds a final record for the name  | yes (*)  |
 * | failed             | confirmed: the operation ended with another error                        | no       |
 * | still-running      | confirmed: not done when the confirm timeout passed                      | no       |
 * | unsupported        | the service does not implement CancelOperation (UNIMPLEMENTED)           | no       |
 * | not-found          | no such operation (NOT_FOUND)                                            | no       |
 * | denied             | PERMISSION_DENIED or UNAUTHENTICATED                                     | no       |
 * | invalid-name       | rejected locally before any RPC, or INVALID_ARGUMENT from the server     | no       |
 * | aborted            | the caller's AbortSignal (or Ctrl-C) stopped it                          | no       |
 * | not-attempted      | never sent: shutdown, or the service's circuit breaker opened            | no       |
 * | error              | anything else, after retries                                             | no       |
 *
 * (*) For the exit code, a `skipped` name counts as its `previousOutcome` (see batchSucceeded).
 */
/**
 * Every outcome, in the table's order (the type below is derived from it).
 *
 * @example
 * ```ts
 * for (const o of OUTCOMES) console.log(o, isSuccessOutcome(o));
 * ```
 */
export const OUTCOMES = [
  'cancel-requested',
  'cancelled',
  'completed',
  'skipped',
  'failed',
  'still-running',
  'unsupported',
  'not-found',
  'denied',
  'invalid-name',
  'aborted',
  'not-attempted',
  'error',
] as const;

/**
 * The outcome keyword of a result: one of OUTCOMES (see the table above, and the README's "Outcomes").
 *
 * @example
 * ```ts
 * const counts: Partial<Record<Outcome, number>> = {};
 * for await (const r of cancelMany(names)) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
 * ```
 */
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The outcomes a failing call can have (everything `OperationsError.outcome` can be).
 *
 * @example
 * ```ts
 * if (err instanceof OperationsError && err.outcome === 'unsupported') console.log('this service cannot cancel');
 * ```
 */
export type ErrorOutcome = 'unsupported' | 'not-found' | 'denied' | 'invalid-name' | 'aborted' | 'error';

const SUCCESS: ReadonlySet<Outcome> = new Set<Outcome>([
  'cancel-requested',
  'cancelled',
  'completed',
  'skipped',
]);

/**
 * True for the outcomes that count as success for the exit code.
 *
 * @example
 * ```ts
 * isSuccessOutcome('cancel-requested'); // true
 * isSuccessOutcome('not-found');        // false
 * ```
 */
export function isSuccessOutcome(outcome: Outcome): boolean {
  return SUCCESS.has(outcome);
}
