import type { DecodedAny } from '../proto/status-codec';
import { kebabKind, type NormalizedOperation } from './operation-view';

/**
 * Which operations to keep, on their normalised fields (applied on the client, after listing).
 * Every selector given must match; an operation lacking the field a selector needs is left out.
 *
 * @example
 * ```ts
 * const selector: OperationSelector = { olderThanMs: 3_600_000, kind: 'export-entities', target: 'gs://bucket/*' };
 * ```
 */
export interface OperationSelector {
  /** Keep operations created more than this many ms ago (by `createTime`). */
  olderThanMs?: number;
  /** Keep operations of this kind: the normalised kind (`create`, `export-entities`) or the metadata type (`ExportEntitiesMetadata`, full or short), any case. */
  kind?: string;
  /** Keep operations whose target matches this glob (`*` any text, `?` one character), whole. */
  target?: string;
}

/**
 * The selector flags, as they are named on the command line.
 *
 * @example
 * ```ts
 * const which: SelectorName = 'older-than';
 * ```
 */
export type SelectorName = 'older-than' | 'kind' | 'target';

/**
 * Why an operation was left out: a selector did not match, or the operation lacks the field it needs.
 *
 * @example
 * ```ts
 * const verdict = selectOperation(json, normalizeOperation(json), { olderThanMs: 3_600_000 });
 * if (!verdict.selected) console.log(verdict.selector, verdict.missing ?? 'did not match');
 * ```
 */
export type SelectionVerdict =
  | {
      /** Every selector matched. */
      selected: true;
    }
  | {
      /** A selector left it out. */
      selected: false;
      /** The selector that left it out. */
      selector: SelectorName;
      /** The normalised field the operation lacks (its service does not report it), if that is why. */
      missing?: 'createTime' | 'kind' | 'target';
    };

/** Whether any selector is set. */
export function hasSelector(s: OperationSelector | undefined): boolean {
  return s !== undefined && (s.olderThanMs !== undefined || s.kind !== undefined || s.target !== undefined);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

/**
 * Decide whether one operation is selected. `now` is for tests (defaults to Date.now()).
 *
 * @example
 * ```ts
 * const json = operationToJson(await canceller.getOperation(name));
 * const verdict = selectOperation(json, normalizeOperation(json), { kind: 'create', olderThanMs: 7_200_000 });
 * console.log(verdict.selected);
 * ```
 */
export function selectOperation(
  op: { metadata?: DecodedAny },
  view: NormalizedOperation,
  selector: OperationSelector,
  now: number = Date.now(),
): SelectionVerdict {
  if (selector.olderThanMs !== undefined) {
    const created = view.createTime === undefined ? Number.NaN : Date.parse(view.createTime);
    if (Number.isNaN(created)) return { selected: false, selector: 'older-than', missing: 'createTime' };
    if (now - created <= selector.olderThanMs) return { selected: false, selector: 'older-than' };
  }
  if (selector.kind !== undefined) {
    const want = selector.kind.trim();
    const type = op.metadata?.['@type'];
    if (view.kind === undefined && type === undefined)
      return { selected: false, selector: 'kind', missing: 'kind' };
    const full = type?.slice(type.lastIndexOf('/') + 1).toLowerCase();
    const short = full?.split('.').pop();
    const w = want.toLowerCase();
    const matches = view.kind === kebabKind(want) || full === w || short === w;
    if (!matches) return { selected: false, selector: 'kind' };
  }
  if (selector.target !== undefined) {
    if (view.target === undefined) return { selected: false, selector: 'target', missing: 'target' };
    if (!globToRegExp(selector.target).test(view.target)) return { selected: false, selector: 'target' };
  }
  return { selected: true };
}

/**
 * Operations left out by a selection, counted by selector and reason.
 *
 * @example
 * ```ts
 * const tally = new LeftOutTally();
 * tally.add(selectOperation(json, normalizeOperation(json), { olderThanMs: 3_600_000 }));
 * console.log(tally.total, tally.describe({ olderThanMs: 3_600_000 }));
 * ```
 */
export class LeftOutTally {
  /** `selector` or `selector:missingField` → how many. */
  readonly counts = new Map<string, number>();
  /** All operations left out. */
  total = 0;

  /** Count a verdict (selected ones are not counted). */
  add(verdict: SelectionVerdict): void {
    if (verdict.selected) return;
    const key = verdict.missing ? `${verdict.selector}:${verdict.missing}` : verdict.selector;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total++;
  }

  /** Add another tally's counts (one per service listed). */
  merge(other: LeftOutTally): void {
    for (const [key, n] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    this.total += other.total;
  }

  /** In words: `2 not older than 1h; 1 without a create time (its service does not report one)`. */
  describe(selector: OperationSelector): string {
    const parts: string[] = [];
    for (const [key, n] of this.counts) {
      const [which, missing] = key.split(':') as [SelectorName, string | undefined];
      if (missing) {
        const field = missing === 'createTime' ? 'a create time' : missing === 'kind' ? 'a kind' : 'a target';
        parts.push(`${n} without ${field} for --${which} (not in its metadata)`);
      } else if (which === 'older-than')
        parts.push(`${n} not older than ${formatAge(selector.olderThanMs ?? 0)}`);
      else if (which === 'kind') parts.push(`${n} not of kind ${selector.kind}`);
      else parts.push(`${n} whose target does not match ${selector.target}`);
    }
    return parts.join('; ');
  }
}

function formatAge(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
