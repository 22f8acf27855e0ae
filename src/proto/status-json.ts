import type * as protobuf from 'protobufjs';
import { type DecodedAny, encodeAny, lookup, TO_OBJECT } from './status-codec';

/*
 * google.protobuf.Any in its proto3 JSON form (`{"@type": url, ...fields}`, what REST carries)
 * to and from the forms the gRPC path uses: DecodedAny (an error detail decoded from
 * `grpc-status-details-bin`) and the raw `{ type_url, value }` of proto-loader. The same
 * detail must read the same whichever transport brought it: a RetryInfo's `"1.5s"` becomes
 * `{ seconds: '1', nanos: 500000000 }`, as protobufjs decodes it from bytes.
 */

/** A JSON Any as a DecodedAny, normalised through the message type when we know it. */
export function decodedAnyFromJson(json: unknown): DecodedAny {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { '@type': '' };
  const record = json as Record<string, unknown>;
  const typeUrl = typeof record['@type'] === 'string' ? record['@type'] : '';
  const type = lookup(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  if (!type) return { ...record, '@type': typeUrl };
  try {
    const message = type.fromObject(fromJsonForm(type, record));
    return { '@type': typeUrl, ...type.toObject(message, TO_OBJECT) };
  } catch {
    return { ...record, '@type': typeUrl };
  }
}

/** A JSON Any as proto-loader's `{ type_url, value }`, plus its JSON when we cannot encode its type. */
export function rawAnyFromJson(json: unknown): { type_url: string; value: Buffer; json?: DecodedAny } {
  const record = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const typeUrl = typeof record['@type'] === 'string' ? record['@type'] : '';
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  if (typeName === 'google.protobuf.Empty') return { type_url: typeUrl, value: Buffer.alloc(0) };
  const type = lookup(typeName);
  if (type) {
    try {
      const encoded = encodeAny({ type: typeName, fields: fromJsonForm(type, record) });
      return { type_url: typeUrl, value: encoded.value };
    } catch {
      // falls through: kept as JSON
    }
  }
  // A type we have no proto for: its bytes when it is only `value` (how lro-cancel's own
  // emulator writes one), else its fields as the server sent them.
  const keys = Object.keys(record).filter((k) => k !== '@type');
  if (keys.length === 1 && keys[0] === 'value' && typeof record.value === 'string')
    return { type_url: typeUrl, value: Buffer.from(record.value, 'base64') };
  return { type_url: typeUrl, value: Buffer.alloc(0), json: { ...record, '@type': typeUrl } };
}

/** A DecodedAny (or a raw Any we can decode) in proto3 JSON form, for a REST response. */
export function decodedAnyToJson(decoded: DecodedAny): Record<string, unknown> {
  const typeUrl = decoded['@type'];
  const type = lookup(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  const { '@type': _, ...fields } = decoded;
  return { '@type': typeUrl, ...(type ? toJsonForm(type, fields) : fields) };
}

const DURATION = '.google.protobuf.Duration';
const TIMESTAMP = '.google.protobuf.Timestamp';

function fieldOf(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fields[key] ?? type.fields[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

/** proto3 JSON fields to the object form protobufjs' fromObject reads (Durations and Timestamps as objects). */
function fromJsonForm(type: protobuf.Type, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '@type') continue;
    const field = fieldOf(type, key);
    if (!field) continue;
    out[field.name] = convertField(field, value, fromJsonValue);
  }
  return out;
}

/** protobufjs' toObject form (longs as strings) to proto3 JSON. */
function toJsonForm(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const field = fieldOf(type, key);
    out[key] = field ? convertField(field, value, toJsonValue) : value;
  }
  return out;
}

type Convert = (type: protobuf.Type, value: unknown) => unknown;

function convertField(field: protobuf.Field, value: unknown, convert: Convert): unknown {
  const type = field.resolvedType;
  if (!type || !('fields' in type)) return value;
  const messageType = type as protobuf.Type;
  if (field.map && typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = convert(messageType, v);
    return out;
  }
  if (field.repeated && Array.isArray(value)) return value.map((v) => convert(messageType, v));
  return convert(messageType, value);
}

function fromJsonValue(type: protobuf.Type, value: unknown): unknown {
  if (type.fullName === DURATION && typeof value === 'string') return parseDuration(value) ?? value;
  if (type.fullName === TIMESTAMP && typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return value;
    const nanos = /\.(\d{1,9})/.exec(value)?.[1]?.padEnd(9, '0');
    return { seconds: String(Math.floor(ms / 1000)), nanos: nanos ? Number(nanos) : 0 };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return fromJsonForm(type, value as Record<string, unknown>);
  return value;
}

function toJsonValue(type: protobuf.Type, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
  if (type.fullName === DURATION) return formatDuration(Number(seconds ?? 0), Number(nanos ?? 0));
  if (type.fullName === TIMESTAMP)
    return new Date(Number(seconds ?? 0) * 1000 + Math.floor(Number(nanos ?? 0) / 1e6)).toISOString();
  return toJsonForm(type, value as Record<string, unknown>);
}

/**
 * `"1.5s"` → `{ seconds: '1', nanos: 500000000 }`; undefined for anything else. Zero parts are
 * left out, as a proto3 encoder leaves them off the wire: `"0.3s"` reads `{ nanos: 300000000 }`,
 * exactly what the same RetryInfo decodes to from a gRPC trailer.
 */
function parseDuration(text: string): { seconds?: string; nanos?: number } | undefined {
  const m = /^(-?)(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const seconds = sign * Number(m[2]);
  const nanos = sign * Number((m[3] ?? '').padEnd(9, '0') || 0);
  return { ...(seconds ? { seconds: String(seconds) } : {}), ...(nanos ? { nanos } : {}) };
}

function formatDuration(seconds: number, nanos: number): string {
  if (!nanos) return `${seconds}s`;
  const frac = String(Math.abs(nanos)).padStart(9, '0').replace(/0+$/, '');
  const sign = seconds < 0 || nanos < 0 ? '-' : '';
  return `${sign}${Math.abs(seconds)}.${frac}s`;
}
