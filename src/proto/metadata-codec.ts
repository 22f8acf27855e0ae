import * as protobuf from 'protobufjs';
// Type-only: keeps the JSON in the program (tsc copies it to dist) without loading it until a
// metadata is decoded; the cancel path never pays for it.
import type descriptorJson from './metadata-descriptor.json';
import { decodeAny, type DecodedAny } from './status-codec';

/**
 * Decoder of the built-in services' operation metadata and response types (and google.rpc,
 * google.protobuf.Empty), to proto3 JSON: camelCase fields, enums by name, 64-bit integers as
 * strings, bytes as base64, Timestamp as RFC 3339, Duration as `"1.5s"`, nested Anys decoded.
 * The types come from metadata-descriptor.json, compiled at build time out of googleapis'
 * protos (compile-metadata-descriptor.ts); loaded on first use.
 */

const EMPTY = 'google.protobuf.Empty';

let root: protobuf.Root | undefined;

function loadRoot(): protobuf.Root {
  if (!root) {
    // A lazy require of the committed JSON (see the type-only import above).
    const json = require('./metadata-descriptor.json') as typeof descriptorJson;
    root = protobuf.Root.fromJSON(json as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
}

function lookup(typeName: string): protobuf.Type | undefined {
  const found = loadRoot().lookup(typeName);
  return found instanceof protobuf.Type ? found : undefined;
}

/** Whether the built-in decoder knows this type (full name, without the `type.googleapis.com/` prefix). */
export function isKnownMetadataType(typeName: string): boolean {
  return typeName === EMPTY || lookup(typeName) !== undefined;
}

/**
 * Decode an Any's bytes to `{ '@type', ...fields }`. Known: the five services' metadata and
 * response types, google.protobuf.Empty, the google.rpc error details. Unknown or undecodable:
 * `{ '@type', value: base64 }`; never throws.
 */
export function decodeTypedAny(typeUrl: string, value: Uint8Array): DecodedAny {
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  if (typeName === EMPTY) return { '@type': typeUrl };
  const type = lookup(typeName);
  if (!type) return decodeAny(typeUrl, value);
  try {
    return { '@type': typeUrl, ...messageToJson(type, type.decode(value)) };
  } catch {
    return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
  }
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function messageToJson(type: protobuf.Type, message: protobuf.Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = message as unknown as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    // Decoded messages hold only the fields present on the wire as own properties.
    if (!Object.hasOwn(fields, field.name)) continue;
    const value = fields[field.name];
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length)
        out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length) out[field.name] = items.map((v) => valueToJson(field, v));
    } else {
      out[field.name] = valueToJson(field, value);
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return resolved.valuesById[value as number] ?? value;
  if (resolved instanceof protobuf.Type) {
    switch (resolved.fullName) {
      case '.google.protobuf.Timestamp':
        return timestampToJson(value as { seconds?: unknown; nanos?: number });
      case '.google.protobuf.Duration':
        return durationToJson(value as { seconds?: unknown; nanos?: number });
      case '.google.protobuf.Any': {
        const a = value as { typeUrl?: string; type_url?: string; value?: Uint8Array };
        return decodeTypedAny(a.typeUrl ?? a.type_url ?? '', a.value ?? new Uint8Array());
      }
      default:
        return messageToJson(resolved, value as protobuf.Message);
    }
  }
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if (LONG_TYPES.has(field.type)) return String(value);
  return value;
}

function timestampToJson(t: { seconds?: unknown; nanos?: number }): string {
  const ms = Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

function durationToJson(d: { seconds?: unknown; nanos?: number }): string {
  const seconds = Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9;
  return `${seconds}s`;
}
