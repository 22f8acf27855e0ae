import { Code } from '../errors/status-code';
import { OperationsError } from '../errors/operations-error';
import { quoteText } from './quote-text';
import { customService, findService, services, type ServiceDescriptor } from './service-registry';

/** A validated operation name and the service it belongs to. */
export interface OperationName {
  /** Relative resource name, as sent in CancelOperationRequest.name. */
  readonly name: string;
  readonly service: ServiceDescriptor;
}

/** Longest name accepted. Google resource names are far shorter; this bounds hostile input. */
export const MAX_NAME_LENGTH = 1024;

/** What kind of name a call takes: Cancel accepts fewer shapes than Get on some services. */
export type NameKind = 'cancel' | 'get' | 'list-parent';

// Segment rule: anything but '/', whitespace and control characters (checked first).
// U+FFFD is what invalid UTF-8 input decodes to: never part of a real name.
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/u;

// A lone (unpaired) surrogate: ill-formed UTF-16. With the u flag a surrogate range matches
// only unpaired halves. Such a string cannot be sent as it is (protobuf would turn it into
// U+FFFD, and encodeURIComponent throws on it when building the routing header).
const LONE_SURROGATE = /[\ud800-\udfff]/u;

// Both sets in one pass, without the u flag (faster), over-matching paired surrogates: a hit
// sends the name to the two exact checks above. Real names never hit it.
const SUSPECT = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd\ud800-\udfff]/;

/**
 * Match `name` against a pattern of `*` (one non-empty segment), `**` (one or more
 * segments, only at the start: custom services) and literals.
 */
export function matchesPattern(name: string, pattern: string): boolean {
  return matchesName(name, splitPattern(pattern));
}

/** matchesSplit without splitting the name (no array, no substrings): the hot path's form. */
function matchesName(name: string, pat: readonly string[]): boolean {
  if (pat[0] === '**') return matchesSplit(name.split('/'), pat);
  const last = pat.length - 1;
  let pos = 0;
  for (let i = 0; i <= last; i++) {
    const slash = name.indexOf('/', pos);
    // The segment's end; -1 when segments are missing (before the last) or left over (after it).
    const end = i < last ? slash : slash === -1 ? name.length : -1;
    if (end <= pos) return false; // also an empty segment
    const p = pat[i] as string;
    if (p !== '*' && (end - pos !== p.length || !name.startsWith(p, pos))) return false;
    pos = end + 1;
  }
  return true;
}

// Patterns are few and fixed: split each once (the hot path splits only the name).
const SPLIT_PATTERNS = new Map<string, readonly string[]>();
function splitPattern(pattern: string): readonly string[] {
  let pat = SPLIT_PATTERNS.get(pattern);
  if (!pat) {
    pat = pattern.split('/');
    SPLIT_PATTERNS.set(pattern, pat);
  }
  return pat;
}

function matchesSplit(parts: readonly string[], pat: readonly string[]): boolean {
  if (pat[0] === '**') {
    const rest = pat.slice(1);
    if (parts.length < rest.length + 1) return false;
    return segmentsMatch(parts.slice(parts.length - rest.length), rest) && parts.slice(0, parts.length - rest.length).every((p) => p !== '');
  }
  return parts.length === pat.length && segmentsMatch(parts, pat);
}

function segmentsMatch(parts: readonly string[], pat: readonly string[]): boolean {
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i];
    const v = parts[i];
    if (v === undefined || v === '') return false;
    if (p !== '*' && p !== v) return false;
  }
  return true;
}

function patternsFor(service: ServiceDescriptor, kind: NameKind): readonly string[] {
  if (kind === 'cancel') return service.cancelPatterns;
  if (kind === 'get') return service.getPatterns;
  return service.listParentPatterns;
}

function invalid(name: string, why: string, service?: ServiceDescriptor): OperationsError {
  return new OperationsError(Code.INVALID_ARGUMENT, why, {
    operationName: name,
    displayName: quoteText(name),
    service: service?.id,
    outcome: 'invalid-name',
  });
}

function expected(service: ServiceDescriptor, kind: NameKind): string {
  const list = patternsFor(service, kind);
  return `${service.id} expects ${list.length > 1 ? 'one of ' : ''}${list.map((p) => `"${p}"`).join(', ')}`;
}

export interface ParseNameOptions {
  /** Service id or host for relative names; ignored for `//host/...` full names unless they disagree. */
  service?: string | ServiceDescriptor;
  /** Which RPC the name is for. Defaults to 'cancel'. */
  kind?: NameKind;
}

/**
 * Validate an operation name before any RPC is sent.
 *
 * Accepts a relative name plus a service (`projects/p/locations/l/operations/o`, `dataplex`)
 * or an AIP-122 full resource name that names its service itself
 * (`//dataplex.googleapis.com/projects/p/locations/l/operations/o`). A full name whose host is
 * not built in is accepted as a custom service (any `.../operations/<id>`).
 *
 * @throws OperationsError with outcome 'invalid-name' quoting the name and the expected pattern(s).
 */
export function parseOperationName(input: string, options: ParseNameOptions | string = {}): OperationName {
  const opts: ParseNameOptions = typeof options === 'string' ? { service: options } : options;
  const kind = opts.kind ?? 'cancel';
  const given = opts.service === undefined ? undefined : resolveServiceArg(opts.service);

  if (typeof input !== 'string') throw invalid(describe(input), `operation name must be a string, got ${typeof input}`);
  if (input.length === 0) throw invalidHinted(input, 'operation name is empty', input, given, kind);
  if (input.length > MAX_NAME_LENGTH) {
    throw invalidHinted(input.slice(0, 64) + '…', `operation name is ${input.length} characters long; the limit is ${MAX_NAME_LENGTH}`, input, given, kind);
  }
  if (SUSPECT.test(input)) {
    if (FORBIDDEN.test(input)) throw invalidHinted(input, 'operation name contains whitespace or a control character', input, given, kind);
    if (LONE_SURROGATE.test(input)) throw invalidHinted(input, 'operation name is not well-formed Unicode (it holds an unpaired surrogate)', input, given, kind);
  }

  let relative = input;
  let service = given;
  if (input.startsWith('//')) {
    const slash = input.indexOf('/', 2);
    const host = slash === -1 ? input.slice(2) : input.slice(2, slash);
    relative = slash === -1 ? '' : input.slice(slash + 1);
    let fromHost: ServiceDescriptor;
    try {
      fromHost = findService(host) ?? customService(host);
    } catch (e) {
      throw invalid(input, `full resource name has no valid service host (${(e as Error).message})`);
    }
    if (given && given.host !== fromHost.host) {
      throw invalid(input, `full resource name names ${fromHost.host}, but the service given is ${given.id} (${given.host})`);
    }
    service = given ?? fromHost;
  } else if (input.startsWith('/')) {
    throw invalidHinted(input, 'operation name must not start with "/" (use a relative name, or "//host/..." for a full name)', input, given, kind);
  }

  if (!service) {
    throw invalid(
      input,
      `no service given: pass a service (one of ${Object.keys(services).join(', ')}) or use a full name such as "//dataplex.googleapis.com/${relative || 'projects/p/locations/l/operations/o'}"`,
    );
  }
  const patterns = patternsFor(service, kind);
  for (let i = 0; i < patterns.length; i++) {
    if (matchesName(relative, splitPattern(patterns[i] as string))) return { name: relative, service };
  }
  // No pattern matches (and none matches an empty segment): say which problem it is.
  if (relative.split('/').includes('')) {
    throw invalid(input, `operation name has an empty segment; ${expected(service, kind)}`, service);
  }
  throw invalid(input, `operation name does not match: ${expected(service, kind)}`, service);
}

/**
 * `invalid`, with the expected pattern(s) appended once the service is known (given, or named
 * by a full name). Worked out only when an error is thrown: parseOperationName is on every
 * call's path.
 */
function invalidHinted(shown: string, why: string, input: string, given: ServiceDescriptor | undefined, kind: NameKind): OperationsError {
  const known = given ?? serviceOfFullName(input);
  return invalid(shown, known ? `${why}; ${expected(known, kind)}` : why, known);
}

/** A non-string value for a message; String() itself throws for some objects ({ toString: 0 }, Object.create(null)). */
function describe(value: unknown): string {
  try {
    return String(value).slice(0, 64);
  } catch {
    return `[${typeof value}]`;
  }
}

/** The service a `//host/...` full name names, if the host is usable; for error messages only. */
function serviceOfFullName(input: string): ServiceDescriptor | undefined {
  if (typeof input !== 'string' || !input.startsWith('//')) return undefined;
  const slash = input.indexOf('/', 2);
  const host = slash === -1 ? input.slice(2) : input.slice(2, slash);
  try {
    return findService(host) ?? customService(host);
  } catch {
    return undefined;
  }
}

/** A service given as an id, a host, or a descriptor. */
export function resolveServiceArg(service: string | ServiceDescriptor): ServiceDescriptor {
  if (typeof service !== 'string') return service;
  const found = findService(service);
  if (found) return found;
  if (service.includes('.')) {
    try {
      return customService(service);
    } catch (e) {
      // The same error type as every other bad input: a validation error, before any RPC.
      throw new OperationsError(Code.INVALID_ARGUMENT, (e as Error).message, { outcome: 'invalid-name' });
    }
  }
  throw new OperationsError(
    Code.INVALID_ARGUMENT,
    `unknown service ${quoteText(service)}: use one of ${Object.keys(services).join(', ')}, or a host such as "foo.googleapis.com"`,
    { outcome: 'invalid-name' },
  );
}
