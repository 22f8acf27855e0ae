import { Code } from '../errors/status-code';
import { OperationsError } from '../errors/operations-error';
import {
  checkedSuggestions,
  expectedShapes,
  fullNameCandidates,
  looksLikeUrl,
  joinList,
  quoteNames,
  repairedCandidates,
  type CandidateCheck,
} from './name-suggestions';
import { quoteText } from './quote-text';
import {
  customService,
  findService,
  isServiceHost,
  patternsOf,
  services,
  type NameKind,
  type ServiceDescriptor,
} from './service-registry';

/**
 * A validated operation name and the service it belongs to.
 *
 * @example
 * ```ts
 * const parsed: OperationName = parseOperationName('projects/p/operations/o', 'datastore');
 * ```
 */
export interface OperationName {
  /** Relative resource name, as sent in CancelOperationRequest.name. */
  readonly name: string;
  /** The service the name belongs to. */
  readonly service: ServiceDescriptor;
}

/**
 * Longest name accepted. Google resource names are far shorter; this bounds hostile input.
 *
 * @example
 * ```ts
 * if (line.length > MAX_NAME_LENGTH) console.warn('too long to be an operation name');
 * ```
 */
export const MAX_NAME_LENGTH = 1024;

export type { NameKind } from './service-registry';

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
    return (
      segmentsMatch(parts.slice(parts.length - rest.length), rest) &&
      parts.slice(0, parts.length - rest.length).every((p) => p !== '')
    );
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

function invalid(name: string, why: string, service?: ServiceDescriptor): OperationsError {
  return new OperationsError(Code.INVALID_ARGUMENT, why, {
    operationName: name,
    displayName: quoteText(name),
    service: service?.id,
    outcome: 'invalid-name',
  });
}

function expected(service: ServiceDescriptor, kind: NameKind): string {
  const list = patternsOf(service, kind);
  return `${service.id} expects ${list.length > 1 ? 'one of ' : ''}${list.map((p) => `"${p}"`).join(', ')}`;
}

/**
 * Options of `parseOperationName`.
 *
 * @example
 * ```ts
 * parseOperationName('projects/p/operations/o', { service: 'datastore', kind: 'cancel' });
 * ```
 */
export interface ParseNameOptions {
  /**
   * Service id or host for relative names. A `//host/...` full name carries its own service;
   * a host given here also counts as allowed for full names of that host (it was chosen).
   */
  service?: string | ServiceDescriptor;
  /** Which RPC the name is for. Defaults to 'cancel'. */
  kind?: NameKind;
  /**
   * Hosts that are not built in which `//host/...` full names may name (custom services). A full
   * name on any other host is 'invalid-name': a names file must not choose where credentials go.
   */
  serviceHosts?: readonly string[];
  /**
   * Universe domain (`googleapis.com` unless set). A full name on a built-in service's host
   * under it (`//dataplex.example-universe.com/...`) names that built-in service: the host
   * its endpoint is built from.
   */
  universeDomain?: string;
}

/**
 * Validate an operation name before any RPC is sent.
 *
 * Accepts a relative name plus a service (`projects/p/locations/l/operations/o`, `dataplex`)
 * or an AIP-122 full resource name that names its service itself
 * (`//dataplex.googleapis.com/projects/p/locations/l/operations/o`). A full name whose host is
 * not built in is a custom service (any `.../operations/<id>`) only when that host is in
 * `serviceHosts` or is the host given as `service`; any other host is refused, before any
 * connection or DNS lookup, with a message saying how to allow it.
 *
 * @throws OperationsError with outcome 'invalid-name' quoting the name and the expected pattern(s).
 *
 * @example
 * ```ts
 * const { name, service } = parseOperationName('//dataplex.googleapis.com/projects/p/locations/l/operations/o');
 * // name: 'projects/p/locations/l/operations/o', service.id: 'dataplex'
 * ```
 */
export function parseOperationName(input: string, options: ParseNameOptions | string = {}): OperationName {
  const opts: ParseNameOptions = typeof options === 'string' ? { service: options } : options;
  return parseName(input, opts, opts.kind ?? 'cancel', true);
}

/**
 * parseOperationName's work. With `hinted`, a rejection suggests full names that do parse (the
 * "Hints" functions below); without, it does not: that is how a suggestion is checked (no recursion).
 */
function parseName(input: string, opts: ParseNameOptions, kind: NameKind, hinted: boolean): OperationName {
  const given = opts.service === undefined ? undefined : resolveServiceArg(opts.service);

  if (typeof input !== 'string')
    throw invalid(describe(input), `operation name must be a string, got ${typeof input}`);
  if (input.length === 0)
    throw invalidHinted(input, 'operation name is empty', input, given, opts, kind, false);
  if (input.length > MAX_NAME_LENGTH) {
    throw invalidHinted(
      `${input.slice(0, 64)}…`,
      `operation name is ${input.length} characters long; the limit is ${MAX_NAME_LENGTH}`,
      input,
      given,
      opts,
      kind,
      false,
    );
  }
  if (SUSPECT.test(input)) {
    if (FORBIDDEN.test(input))
      throw invalidHinted(
        input,
        'operation name contains whitespace or a control character',
        input,
        given,
        opts,
        kind,
        hinted,
      );
    if (LONE_SURROGATE.test(input))
      throw invalidHinted(
        input,
        'operation name is not well-formed Unicode (it holds an unpaired surrogate)',
        input,
        given,
        opts,
        kind,
        false,
      );
  }

  let relative = input;
  let service = given;
  if (input.startsWith('//')) {
    const slash = input.indexOf('/', 2);
    const host = slash === -1 ? input.slice(2) : input.slice(2, slash);
    relative = slash === -1 ? '' : input.slice(slash + 1);
    service = serviceOfHost(input, host, given, opts);
  } else if (input.startsWith('/')) {
    throw invalidHinted(
      input,
      'operation name must not start with "/" (use a relative name, or a full name, which starts with two slashes and the service host)',
      input,
      given,
      opts,
      kind,
      hinted,
    );
  }

  if (!service) throw invalid(input, hinted ? noServiceMessage(input, opts, kind) : 'no service given');
  const patterns = patternsOf(service, kind);
  for (let i = 0; i < patterns.length; i++) {
    if (matchesName(relative, splitPattern(patterns[i] as string))) return { name: relative, service };
  }
  // No pattern matches (and none matches an empty segment): say which problem it is.
  const why = relative.split('/').includes('')
    ? 'operation name has an empty segment;'
    : 'operation name does not match:';
  throw invalid(
    input,
    `${why} ${expected(service, kind)}${hinted ? mismatchHint(input, relative, service, opts, kind) : ''}`,
    service,
  );
}

// ---- Hints: only on the error path. Every full name suggested is parsed first (unhinted). ----

/** A check of candidate full names by these options' rules: its service when it parses. */
function checkWith(opts: ParseNameOptions, kind: NameKind): CandidateCheck {
  return (fullName) => {
    try {
      return parseName(fullName, opts, kind, false).service;
    } catch {
      return undefined;
    }
  };
}

/**
 * A relative name and no service: the full names of every built-in service that takes it (with
 * `--service ID` as the other way), a repaired REST URL or `host/name`, or the shapes expected.
 */
function noServiceMessage(input: string, opts: ParseNameOptions, kind: NameKind): string {
  const check = checkWith(opts, kind);
  const repaired = checkedSuggestions(repairedCandidates(input, kind), check);
  if (looksLikeUrl(input)) {
    return repaired.length > 0
      ? `no service given, and a URL is not an operation name: did you mean ${quoteNames(repaired)}`
      : `no service given, and a URL is not an operation name: give the part after the API version (v1/), with a service (--service ID or HOST; library: service)`;
  }
  if (repaired.length > 0) return `no service given: did you mean ${quoteNames(repaired)}`;
  const fits = checkedSuggestions(fullNameCandidates(input), check);
  if (fits.length > 0) {
    const ids = joinList(fits.map((f) => f.service.id));
    const what = kind === 'list-parent' ? 'parent' : 'name';
    return `no service given; ${ids} take${fits.length === 1 ? 's' : ''} this ${what}: use the full name ${quoteNames(fits)} or pass --service ${fits.length === 1 ? ids : 'ID'} (library: service)`;
  }
  const what = kind === 'list-parent' ? 'parent' : 'name';
  return `no service given, and no built-in service takes a ${what} of this shape: they take ${expectedShapes(kind)}; for another service pass --service HOST (library: service)`;
}

/** A name its service does not take: a repaired URL, "readable but not cancellable", or the other services that take it. */
function mismatchHint(
  input: string,
  relative: string,
  service: ServiceDescriptor,
  opts: ParseNameOptions,
  kind: NameKind,
): string {
  const check = checkWith(opts, kind);
  const repaired = checkedSuggestions(repairedCandidates(input, kind), check);
  if (repaired.length > 0) return `; did you mean ${quoteNames(repaired)}`;
  if (kind === 'cancel' && service.getPatterns.some((p) => matchesName(relative, splitPattern(p)))) {
    return `; ${service.id} lets this operation be read (get) but not cancelled`;
  }
  const others = checkedSuggestions(fullNameCandidates(relative), check).filter((f) => f.service !== service);
  if (others.length === 0) return '';
  const ids = joinList(others.map((f) => f.service.id));
  return `; ${ids} take${others.length === 1 ? 's' : ''} it: ${quoteNames(others)}`;
}

/** A leading "/" or surrounding whitespace: the full name(s) meant, if trimming makes one that parses. */
function repairHint(
  input: string,
  given: ServiceDescriptor | undefined,
  opts: ParseNameOptions,
  kind: NameKind,
): string {
  const trimmed = input.trim();
  const candidates = trimmed.startsWith('//')
    ? [trimmed]
    : fullNameCandidates(trimmed.replace(/^\/+/, ''), given).slice(0, given ? 1 : undefined);
  const fits = checkedSuggestions(candidates, checkWith(opts, kind));
  return fits.length > 0 ? `; did you mean ${quoteNames(fits)}` : '';
}

/**
 * `invalid`, with the expected pattern(s) appended once the service is known (given, or named
 * by a full name), and (with `hint`) full names that would parse. Worked out only when an error
 * is thrown: parseOperationName is on every call's path.
 */
function invalidHinted(
  shown: string,
  why: string,
  input: string,
  given: ServiceDescriptor | undefined,
  opts: ParseNameOptions,
  kind: NameKind,
  hint: boolean,
): OperationsError {
  const known =
    typeof input === 'string' && input.startsWith('//') ? serviceOfFullName(input, given, opts) : given;
  const base = known ? `${why}; ${expected(known, kind)}` : why;
  return invalid(shown, hint ? base + repairHint(input, given, opts, kind) : base, known);
}

/** A non-string value for a message; String() itself throws for some objects ({ toString: 0 }, Object.create(null)). */
function describe(value: unknown): string {
  try {
    return String(value).slice(0, 64);
  } catch {
    return `[${typeof value}]`;
  }
}

/** The service a `//host/...` full name names, if the host is usable and allowed; for error messages only. */
function serviceOfFullName(
  input: string,
  given: ServiceDescriptor | undefined,
  opts: ParseNameOptions,
): ServiceDescriptor | undefined {
  const slash = input.indexOf('/', 2);
  const host = slash === -1 ? input.slice(2) : input.slice(2, slash);
  try {
    return serviceOfHost(input, host, given, opts);
  } catch {
    return undefined;
  }
}

/**
 * The service of a full name's host: the one given (a host the caller chose), a built-in
 * service (also by its host under the universe domain), or an allowed custom host. Any other
 * host is refused here, from the text alone: no connection, no DNS lookup, no credentials.
 */
function serviceOfHost(
  input: string,
  host: string,
  given: ServiceDescriptor | undefined,
  opts: ParseNameOptions,
): ServiceDescriptor {
  const h = host.toLowerCase();
  if (given && given.host === h) return given;
  const builtIn = findService(h) ?? builtInUnderUniverse(h, opts.universeDomain);
  if (builtIn) return builtIn;
  if (!isServiceHost(h)) {
    throw invalid(
      input,
      `full resource name has no valid service host (${quoteText(host)} is not a DNS host name such as "foo.googleapis.com")`,
    );
  }
  const allowed = allowedHosts(opts.serviceHosts).get(h);
  if (allowed) return allowed;
  // h passed isServiceHost: [a-z0-9.-] only, safe to show as it is.
  throw invalid(
    input,
    `full resource name names host "${h}", which is not a built-in service; to call it, pass --service-host ${h} (library: serviceHosts: ['${h}'])`,
  );
}

/** `dataplex.example-universe.com` under universe `example-universe.com`: the built-in dataplex (resolveEndpoint's rewrite, inverted). */
function builtInUnderUniverse(
  host: string,
  universeDomain: string | undefined,
): ServiceDescriptor | undefined {
  if (!universeDomain || universeDomain === 'googleapis.com') return undefined;
  const suffix = `.${universeDomain.toLowerCase()}`;
  if (!host.endsWith(suffix) || host.length === suffix.length) return undefined;
  return findService(`${host.slice(0, -suffix.length)}.googleapis.com`);
}

const NO_HOSTS: ReadonlyMap<string, ServiceDescriptor> = new Map();
// Callers pass the same array on every call (the canceller's): normalise it once.
const ALLOWED_HOSTS = new WeakMap<readonly string[], ReadonlyMap<string, ServiceDescriptor>>();

/** The custom services of `serviceHosts`, by lower-case host. */
function allowedHosts(serviceHosts: readonly string[] | undefined): ReadonlyMap<string, ServiceDescriptor> {
  if (serviceHosts === undefined || serviceHosts.length === 0) return NO_HOSTS;
  let found = ALLOWED_HOSTS.get(serviceHosts);
  if (!found) {
    const map = new Map<string, ServiceDescriptor>();
    for (const host of normalizeServiceHosts(serviceHosts))
      map.set(host, findService(host) ?? customService(host));
    found = map;
    ALLOWED_HOSTS.set(serviceHosts, found);
  }
  return found;
}

/**
 * Hosts as `serviceHosts` takes them: trimmed, lower case, each a DNS host name.
 * @throws OperationsError 'invalid-name' for one that is not.
 */
export function normalizeServiceHosts(serviceHosts: readonly string[]): string[] {
  return serviceHosts.map((host) => {
    try {
      return customService(host).host;
    } catch (e) {
      throw new OperationsError(Code.INVALID_ARGUMENT, `serviceHosts: ${(e as Error).message}`, {
        outcome: 'invalid-name',
      });
    }
  });
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
