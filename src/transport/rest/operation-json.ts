import { rawAnyFromJson } from '../../proto/status-json';

/*
 * REST's JSON answers as the objects gRPC's proto-loader gives (keepCase false, defaults and
 * oneofs on): the client layer reads one shape whichever transport brought it.
 */

type RawAny = ReturnType<typeof rawAnyFromJson>;

interface OperationObject {
  name: string;
  metadata: RawAny | null;
  done: boolean;
  error: { code: number; message: string; details: RawAny[] } | null;
  response: RawAny | null;
  result?: 'error' | 'response';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function operationFromJson(json: unknown): OperationObject {
  const o = isObject(json) ? json : {};
  const out: OperationObject = {
    name: typeof o.name === 'string' ? o.name : '',
    metadata: isObject(o.metadata) ? rawAnyFromJson(o.metadata) : null,
    done: o.done === true,
    error: null,
    response: null,
  };
  if (isObject(o.error)) {
    const e = o.error;
    out.error = {
      code: typeof e.code === 'number' ? e.code : 0,
      message: typeof e.message === 'string' ? e.message : '',
      details: Array.isArray(e.details) ? e.details.map(rawAnyFromJson) : [],
    };
    out.result = 'error';
  } else if (isObject(o.response)) {
    out.response = rawAnyFromJson(o.response);
    out.result = 'response';
  }
  return out;
}

export function listResponseFromJson(json: unknown): {
  operations: OperationObject[];
  nextPageToken: string;
} {
  const o = isObject(json) ? json : {};
  return {
    operations: Array.isArray(o.operations) ? o.operations.map(operationFromJson) : [],
    nextPageToken: typeof o.nextPageToken === 'string' ? o.nextPageToken : '',
  };
}
