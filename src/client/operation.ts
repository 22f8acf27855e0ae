import { decodeAny, type DecodedAny } from '../proto/status-codec';

/**
 * google.protobuf.Any as the gRPC layer gives it. proto-loader (through protobufjs' Any
 * wrapper) hands it out as `type_url`; objects built by hand may say `typeUrl`. Both are read.
 */
export interface RawAny {
  type_url?: string;
  typeUrl?: string;
  value: Buffer | Uint8Array;
  /** Over REST, an Any of a type lro-cancel has no proto for: its JSON fields as the server sent them. */
  json?: DecodedAny;
}

function typeUrlOf(a: RawAny): string {
  return a.type_url ?? a.typeUrl ?? '';
}

/** google.longrunning.Operation as the gRPC layer gives it (proto-loader, defaults on). */
export interface RawOperation {
  name: string;
  done: boolean;
  metadata?: RawAny | null;
  error?: { code: number; message: string; details?: RawAny[] } | null;
  response?: RawAny | null;
  result?: 'error' | 'response';
}

/** An operation as JSON: Any fields as `{ "@type", ...fields }` (decoded where the type is known). */
export interface OperationJson {
  name: string;
  done: boolean;
  metadata?: DecodedAny;
  error?: { code: number; message: string; details: DecodedAny[] };
  response?: DecodedAny;
}

const EMPTY = 'type.googleapis.com/google.protobuf.Empty';

function anyToJson(a: RawAny): DecodedAny {
  if (a.json) return a.json;
  const url = typeUrlOf(a);
  if (url === EMPTY) return { '@type': url };
  return decodeAny(url, a.value ?? new Uint8Array());
}

/** Render an operation for printing: google.rpc and Empty decoded, other types as base64 `value`. */
export function operationToJson(op: RawOperation): OperationJson {
  const out: OperationJson = { name: op.name, done: op.done };
  if (op.metadata) out.metadata = anyToJson(op.metadata);
  if (op.error && (op.result === 'error' || op.result === undefined)) {
    out.error = {
      code: op.error.code,
      message: op.error.message,
      details: (op.error.details ?? []).map(anyToJson),
    };
  } else if (op.response) out.response = anyToJson(op.response);
  return out;
}

/** What a finished (or not) operation says about a cancel. */
export type FinalState = 'cancelled' | 'completed' | 'failed' | 'still-running';

/** Classify an operation: cancelled (error.code 1), completed (response), failed, or still running. */
export function finalState(op: RawOperation): FinalState {
  if (!op.done) return 'still-running';
  const hasError = op.error && (op.result === 'error' || (op.result === undefined && op.error.code !== 0));
  if (hasError) return op.error?.code === 1 ? 'cancelled' : 'failed';
  return 'completed';
}
