import type { OperationJson } from '../client/operation';
import { normalizeOperation, type NormalizedOperation } from '../client/operation-view';

/**
 * The kinds of JSON line the CLI prints on stdout besides per-name result records
 * (`kind: 'result'`, see batch-record.ts). Every line carries `kind` first, then `name` and
 * `service` written as in records (relative name, service id), so one stream can be split by kind.
 * `src/records.schema.json` describes all of them.
 */
export interface OperationLine extends Omit<OperationJson, 'name'> {
  kind: 'operation';
  name: string;
  service: string;
  /** The fields selectors use, named the same for every service (operation-view.ts). */
  normalized: NormalizedOperation;
}

/** `cancel-all --dry-run`: an operation it would cancel, with the fields it was selected on. */
export interface WouldCancelLine {
  kind: 'would-cancel';
  name: string;
  service: string;
  normalized?: NormalizedOperation;
}

/** An operation from `get` or `list`, decoded (operationToJson). */
export function operationLine(service: string, json: OperationJson): string {
  const { name, ...rest } = json;
  const line: OperationLine = {
    kind: 'operation',
    name,
    service,
    ...rest,
    normalized: normalizeOperation(json),
  };
  return `${JSON.stringify(line)}\n`;
}

export function wouldCancelLine(service: string, name: string, normalized?: NormalizedOperation): string {
  const line: WouldCancelLine = {
    kind: 'would-cancel',
    name,
    service,
    ...(normalized ? { normalized } : {}),
  };
  return `${JSON.stringify(line)}\n`;
}
