import { operationToJson, type OperationJson, type RawOperation } from '../client/operation';

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
}

/** `cancel-all --dry-run`: an operation it would cancel. */
export interface WouldCancelLine {
  kind: 'would-cancel';
  name: string;
  service: string;
}

/** An operation from `get` or `list`. */
export function operationLine(service: string, op: RawOperation): string {
  const { name, ...rest } = operationToJson(op);
  const line: OperationLine = { kind: 'operation', name, service, ...rest };
  return `${JSON.stringify(line)}\n`;
}

export function wouldCancelLine(service: string, name: string): string {
  const line: WouldCancelLine = { kind: 'would-cancel', name, service };
  return `${JSON.stringify(line)}\n`;
}
