import { decodeTypedAny } from '../proto/metadata-codec';
import type { DecodedAny } from '../proto/status-codec';

/**
 * google.protobuf.Any as the gRPC layer gives it. proto-loader (through protobufjs' Any
 * wrapper) hands it out as `type_url`; objects built by hand may say `typeUrl`. Both are read.
 *
 * @example
 * ```ts
 * const op = await canceller.getOperation(name);
 * console.log(op.metadata?.type_url ?? op.metadata?.typeUrl);
 * ```
 */
export interface RawAny {
  /** The type URL (`type.googleapis.com/...`), as proto-loader names it. */
  type_url?: string;
  /** The type URL, as objects built by hand may name it. */
  typeUrl?: string;
  /** The serialized message. */
  value: Buffer | Uint8Array;
  /** Over REST, an Any of a type lro-cancel has no proto for: its JSON fields as the server sent them. */
  json?: DecodedAny;
}

function typeUrlOf(a: RawAny): string {
  return a.type_url ?? a.typeUrl ?? '';
}

/**
 * google.longrunning.Operation as the gRPC layer gives it (proto-loader, defaults on).
 *
 * @example
 * ```ts
 * const op: RawOperation = await canceller.getOperation(name);
 * if (op.done && op.error?.code === Code.CANCELLED) console.log('cancelled');
 * ```
 */
export interface RawOperation {
  /** The operation's relative name. */
  name: string;
  /** True once it finished (with `error` or `response`). */
  done: boolean;
  /** Service-specific progress information. */
  metadata?: RawAny | null;
  /** The error it finished with (code 1, CANCELLED, for a cancelled operation). */
  error?: {
    /** google.rpc.Code. */
    code: number;
    /** The error's message. */
    message: string;
    /** google.rpc details. */
    details?: RawAny[];
  } | null;
  /** The response it finished with. */
  response?: RawAny | null;
  /** Which of `error` / `response` is set (the proto's oneof). */
  result?: 'error' | 'response';
}

/**
 * An operation as JSON: Any fields as `{ "@type", ...fields }` (decoded where the type is known).
 *
 * @example
 * ```ts
 * const json: OperationJson = operationToJson(await canceller.getOperation(name));
 * console.log(json.done, json.metadata?.['@type']);
 * ```
 */
export interface OperationJson {
  /** The operation's relative name. */
  name: string;
  /** True once it finished. */
  done: boolean;
  /** Metadata, decoded where its type is known. */
  metadata?: DecodedAny;
  /** The error it finished with. */
  error?: {
    /** google.rpc.Code. */
    code: number;
    /** The error's message. */
    message: string;
    /** google.rpc details, decoded. */
    details: DecodedAny[];
  };
  /** The response, decoded where its type is known. */
  response?: DecodedAny;
}

/**
 * Decode an operation's `metadata` or `response` (or an error detail) to JSON, `@type` kept:
 * the five built-in services' metadata and response types (compiled from googleapis' protos),
 * google.protobuf.Empty and the google.rpc error details become their fields in proto3 JSON
 * (camelCase, enums by name, timestamps as RFC 3339); any other type stays
 * `{ "@type", "value": base64 }`. Never throws.
 *
 * @example
 * ```ts
 * const op = await canceller.getOperation(name);
 * if (op.metadata) {
 *   const meta = decodeOperationAny(op.metadata);
 *   console.log(meta['@type'], meta.createTime);
 * }
 * ```
 */
export function decodeOperationAny(a: RawAny): DecodedAny {
  // Over REST the server's JSON is the decoded form already.
  if (a.json) return a.json;
  return decodeTypedAny(typeUrlOf(a), a.value ?? new Uint8Array());
}

const anyToJson = decodeOperationAny;

/**
 * Render an operation for printing: metadata, response and error details decoded by
 * {@link decodeOperationAny} (unknown types as base64 `value`).
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(operationToJson(await canceller.getOperation(name))));
 * ```
 */
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

/**
 * What a finished (or not) operation says about a cancel.
 *
 * @example
 * ```ts
 * const state: FinalState = finalState(await canceller.getOperation(name));
 * ```
 */
export type FinalState = 'cancelled' | 'completed' | 'failed' | 'still-running';

/**
 * Classify an operation: cancelled (error.code 1), completed (response), failed, or still running.
 *
 * @example
 * ```ts
 * const op = await canceller.getOperation(name);
 * console.log(finalState(op)); // 'cancelled', 'completed', 'failed' or 'still-running'
 * ```
 */
export function finalState(op: RawOperation): FinalState {
  if (!op.done) return 'still-running';
  const hasError = op.error && (op.result === 'error' || (op.result === undefined && op.error.code !== 0));
  if (hasError) return op.error?.code === 1 ? 'cancelled' : 'failed';
  return 'completed';
}
