import { hasSelector, type OperationSelector } from '../../client/operation-selector';

/** `--older-than`, `--kind`, `--target` (list and cancel-all). */
export interface SelectorFlags {
  olderThanMs?: number;
  kind?: string;
  target?: string;
}

/** The selector the flags describe (undefined when none is given). */
export function selectorFrom(flags: SelectorFlags): OperationSelector | undefined {
  const s: OperationSelector = {
    ...(flags.olderThanMs !== undefined ? { olderThanMs: flags.olderThanMs } : {}),
    ...(flags.kind !== undefined ? { kind: flags.kind } : {}),
    ...(flags.target !== undefined ? { target: flags.target } : {}),
  };
  return hasSelector(s) ? s : undefined;
}
