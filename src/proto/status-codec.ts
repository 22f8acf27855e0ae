import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { ERROR_DETAILS_PROTO, PROTOS_DIR } from './protos-dir';

/**
 * Encoder/decoder for google.rpc.Status and the google.rpc error-detail messages, as they
 * travel in the `grpc-status-details-bin` trailer and in google.protobuf.Any.
 *
 * Why protobufjs here and not google-gax: proto-loader (what gax's loadProto returns)
 * gives codecs only for RPC arguments, not for messages such as google.rpc.Status; gax's
 * own GoogleErrorDecoder decodes from gax's private copy of the protos and cannot encode
 * (the emulator needs to). protobufjs is the library both of them use underneath, and
 * here it reads our own pinned protos/. Loaded lazily: the hot path never needs it.
 */

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/**
 * A decoded google.protobuf.Any: `@type` plus the message's fields (JSON names).
 *
 * @example
 * ```ts
 * const retryInfo: DecodedAny | undefined = err.findDetail('google.rpc.RetryInfo');
 * console.log(retryInfo?.['@type'], retryInfo?.retryDelay);
 * ```
 */
export interface DecodedAny {
  /** The type URL (`type.googleapis.com/google.rpc.ErrorInfo`). */
  '@type': string;
  [field: string]: unknown;
}

/** A decoded google.rpc.Status. */
export interface DecodedStatus {
  code: number;
  message: string;
  details: DecodedAny[];
}

let root: protobuf.Root | undefined;

function loadRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  // Resolve every import inside protos/; google/protobuf/* are protobufjs' built-in common types.
  r.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : path.join(PROTOS_DIR, target);
  r.loadSync(ERROR_DETAILS_PROTO, { keepCase: false });
  r.loadSync('google/rpc/status.proto', { keepCase: false });
  r.resolveAll();
  root = r;
  return r;
}

export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: false,
  bytes: String,
};

/** Decode an Any to `{ '@type', ...fields }`; unknown types keep their bytes as base64 `value`. */
export function decodeAny(typeUrl: string, value: Uint8Array): DecodedAny {
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const type = lookup(typeName);
  if (!type) return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
  try {
    const message = type.decode(value);
    return { '@type': typeUrl, ...type.toObject(message, TO_OBJECT) };
  } catch {
    return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
  }
}

/** The message type of a type name (`google.rpc.RetryInfo`) among our protos, if it is one of them. */
export function lookup(typeName: string): protobuf.Type | undefined {
  if (typeName === 'google.protobuf.Empty') return undefined; // handled by callers that care
  try {
    return loadRoot().lookupType(typeName);
  } catch {
    return undefined;
  }
}

/** Decode the bytes of a `grpc-status-details-bin` trailer (a serialized google.rpc.Status). */
export function decodeStatus(bytes: Uint8Array): DecodedStatus {
  const statusType = loadRoot().lookupType('google.rpc.Status');
  // google.protobuf.Any comes from protobufjs' built-in common types, whose field is `type_url`
  // whatever `keepCase` says (keepCase only applies to parsed .proto text).
  const status = statusType.decode(bytes) as unknown as {
    code?: number;
    message?: string;
    details?: Array<{ type_url?: string; value?: Uint8Array }>;
  };
  return {
    code: status.code ?? 0,
    message: status.message ?? '',
    details: (status.details ?? []).map((d) => decodeAny(d.type_url ?? '', d.value ?? new Uint8Array())),
  };
}

/** A detail to encode: its short type name (e.g. `google.rpc.RetryInfo`) and its fields as JSON. */
export interface DetailInput {
  type: string;
  fields: Record<string, unknown>;
}

/** Encode one message as an Any `{ typeUrl, value }`. */
export function encodeAny(detail: DetailInput): { typeUrl: string; value: Buffer } {
  const type = loadRoot().lookupType(detail.type);
  const message = type.fromObject(detail.fields);
  return { typeUrl: TYPE_URL_PREFIX + detail.type, value: Buffer.from(type.encode(message).finish()) };
}

/** Encode a google.rpc.Status, e.g. for a `grpc-status-details-bin` trailer. */
export function encodeStatus(code: number, message: string, details: DetailInput[] = []): Buffer {
  const statusType = loadRoot().lookupType('google.rpc.Status');
  const anys = details.map(encodeAny).map((a) => ({ type_url: a.typeUrl, value: a.value })); // see decodeStatus
  const status = statusType.fromObject({ code, message, details: anys });
  return Buffer.from(statusType.encode(status).finish());
}

/** google.protobuf.Duration as JSON (`"1.5s"`) or object (`{seconds, nanos}`) to milliseconds. */
export function durationToMs(d: unknown): number | undefined {
  if (d === null || d === undefined) return undefined;
  if (typeof d === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(d);
    return m ? Number(m[1]) * 1000 : undefined;
  }
  if (typeof d === 'object') {
    const { seconds, nanos } = d as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    if (!Number.isFinite(s) || !Number.isFinite(n)) return undefined;
    return s * 1000 + n / 1e6;
  }
  return undefined;
}
