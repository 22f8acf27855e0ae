/**
 * The emulator command's fault and seed syntax, parsed without I/O (the command table and the
 * command share it): `--fault SERVICE:KNOB[,KNOB...]` and the lines of `--seed-file`.
 */
import { metadataKinds } from '../emulator/operation-metadata';
import type { OperationSeed } from '../emulator/operation-store';
import type { ServiceFaults } from '../emulator/operations-emulator';
import { parseCode } from '../errors/status-code';
import { customService, findService } from '../registry/service-registry';
import { MAX_AGE_MS, parseDuration } from './parse-duration';

/** Faults for one service key (id, host or '*'). */
export interface FaultFlag {
  readonly service: string;
  readonly faults: ServiceFaults;
}

export const FAULT_SYNTAX =
  'SERVICE:KNOB[,KNOB...] with SERVICE an id, a host or *, and KNOB one of unimplemented, denied, latency=DURATION, error-rate=0..1, error-code=CODE, quota=CALLS_PER_SECOND, drop-rate=0..1, methods=METHOD[+METHOD...] (cancel, get, list, wait, delete: what error-rate and drop-rate apply to)';

/** A service id, host or '*', checked; the text of the error otherwise. */
export function serviceOf(text: string): string | { error: string } {
  const t = text.trim().toLowerCase();
  if (t === '*') return t;
  const known = findService(t);
  if (known) return known.id;
  try {
    return customService(t).host;
  } catch {
    return { error: `"${text}" is not a service id, a service host or *` };
  }
}

/** `methods=` words: the Operations methods error-rate and drop-rate apply to. */
const METHOD_WORDS: Readonly<Record<string, string>> = {
  cancel: 'CancelOperation',
  get: 'GetOperation',
  list: 'ListOperations',
  wait: 'WaitOperation',
  delete: 'DeleteOperation',
};

function fraction(key: string, value: string): number | { error: string } {
  const n = Number(value);
  return /^(0|1|0?\.\d+|1\.0*)$/.test(value) && n >= 0 && n <= 1
    ? n
    : { error: `${key}=${value}: expected a number from 0 to 1` };
}

/** Parse one `--fault` value; `{ error }` names what is wrong. */
export function parseFaultFlag(text: string): FaultFlag | { error: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return { error: `"${text}": expected ${FAULT_SYNTAX}` };
  const service = serviceOf(text.slice(0, colon));
  if (typeof service !== 'string') return service;
  const faults: ServiceFaults = {};
  for (const knob of text.slice(colon + 1).split(',')) {
    const [key = '', value, extra] = knob.trim().split('=');
    if (extra !== undefined) return { error: `"${knob}": one "=" per knob` };
    const needs = (): { error: string } => ({ error: `${key}: needs a value (${key}=...)` });
    switch (key) {
      case 'unimplemented':
      case 'denied':
        if (value !== undefined) return { error: `${key} takes no value` };
        faults[key] = true;
        break;
      case 'latency': {
        if (value === undefined) return needs();
        const d = parseDuration(value);
        if ('error' in d) return { error: `latency: ${d.error}` };
        faults.latencyMs = d.ms;
        break;
      }
      case 'error-rate':
      case 'drop-rate': {
        if (value === undefined) return needs();
        const f = fraction(key, value);
        if (typeof f !== 'number') return f;
        if (key === 'error-rate') faults.errorRate = f;
        else faults.dropRate = f;
        break;
      }
      case 'error-code': {
        if (value === undefined) return needs();
        const code = /^\d+$/.test(value) ? Number(value) : parseCode(value);
        if (code === undefined || code < 1 || code > 16)
          return { error: `error-code=${value}: expected a gRPC code name (UNAVAILABLE) or 1-16` };
        faults.errorCode = code;
        break;
      }
      case 'quota': {
        if (value === undefined) return needs();
        if (!/^[1-9]\d{0,6}$/.test(value))
          return { error: `quota=${value}: expected calls per second, 1 or more` };
        faults.quotaPerSecond = Number(value);
        break;
      }
      case 'methods': {
        if (value === undefined) return needs();
        const methods: string[] = [];
        for (const word of value.split('+')) {
          const method = METHOD_WORDS[word.trim().toLowerCase()];
          if (method === undefined)
            return {
              error: `methods=${value}: "${word}" is not one of ${Object.keys(METHOD_WORDS).join(', ')}`,
            };
          if (!methods.includes(method)) methods.push(method);
        }
        faults.errorMethods = methods;
        break;
      }
      default:
        return { error: `unknown knob "${key}": expected ${FAULT_SYNTAX}` };
    }
  }
  return { service, faults };
}

export const SEED_LINE_SYNTAX =
  '//HOST/NAME (or NAME service=ID) then any of done=completed|failed|cancelled, on-cancel=cancel|complete|fail|ignore|unimplemented, settle=DURATION, fail-times=N, age=DURATION (created that long ago, e.g. 2h), kind=KIND (datastore: export|import|index; discoveryengine: import|purge)';

const ON_CANCEL = new Set(['cancel', 'complete', 'fail', 'ignore', 'unimplemented']);
const DONE_AS = new Set(['completed', 'failed', 'cancelled']);

/** Parse one line of a seed file (blank and `#` lines give null). */
export function parseSeedLine(line: string): OperationSeed | null | { error: string } {
  const t = line.trim();
  if (t === '' || t.startsWith('#')) return null;
  const [first = '', ...words] = t.split(/\s+/);
  let name = first;
  let service: string | undefined;
  const full = /^\/\/([^/]+)\/(.+)$/.exec(first);
  if (full) {
    const s = serviceOf(full[1] as string);
    if (typeof s !== 'string') return s;
    service = s;
    name = full[2] as string;
  }
  const seed: { -readonly [K in keyof OperationSeed]: OperationSeed[K] } = { name };
  for (const word of words) {
    const [key = '', value = ''] = word.split('=', 2);
    if (key === 'service') {
      const s = serviceOf(value);
      if (typeof s !== 'string') return s;
      service = s;
    } else if (key === 'done' && DONE_AS.has(value)) seed.doneAs = value as OperationSeed['doneAs'];
    else if (key === 'on-cancel' && ON_CANCEL.has(value)) seed.onCancel = value as OperationSeed['onCancel'];
    else if (key === 'fail-times' && /^\d{1,6}$/.test(value)) seed.failTimes = Number(value);
    else if (key === 'settle') {
      const d = parseDuration(value);
      if ('error' in d) return { error: `settle: ${d.error}` };
      seed.settleMs = d.ms;
    } else if (key === 'age') {
      const d = parseDuration(value, MAX_AGE_MS);
      if ('error' in d) return { error: `age: ${d.error}` };
      seed.createdAt = Date.now() - d.ms;
    } else if (key === 'kind' && value !== '') seed.metadataKind = value;
    else return { error: `"${word}": expected ${SEED_LINE_SYNTAX}` };
  }
  if (service !== undefined) seed.service = service;
  if (seed.metadataKind !== undefined) {
    const kinds = service === undefined ? [] : metadataKinds(service);
    if (!kinds.includes(seed.metadataKind))
      return {
        error: `kind=${seed.metadataKind}: ${service ?? 'a name of no service'} has ${kinds.length ? kinds.join(', ') : 'no kinds'}`,
      };
  }
  return seed;
}
