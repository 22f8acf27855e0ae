/**
 * What a rejected operation name's message suggests instead: full names (`//host/name`) that
 * the parser accepts, or, when none fits, the shapes the built-in services expect.
 *
 * Every suggestion is checked by the caller's parse function before it is shown, so a hint is
 * never itself an invalid name (test/hostile/name-properties.test.ts parses every one). Only on
 * the error path: nothing here runs for a name that parses.
 */
import { quoteText } from './quote-text';
import { patternsOf, services, type NameKind, type ServiceDescriptor } from './service-registry';

/** Parses a candidate full name (without hints of its own): its service, or undefined when refused. */
export type CandidateCheck = (fullName: string) => ServiceDescriptor | undefined;

/** A full name that parses, and the service it names. */
export interface Suggestion {
  readonly fullName: string;
  readonly service: ServiceDescriptor;
}

/** The candidates that parse, deduplicated, in order. */
export function checkedSuggestions(candidates: readonly string[], check: CandidateCheck): Suggestion[] {
  const out: Suggestion[] = [];
  for (const fullName of new Set(candidates)) {
    const service = check(fullName);
    if (service) out.push({ fullName, service });
  }
  return out;
}

/** `//host/relative` on `given` (when set) and on every built-in service: what `relative` could have meant. */
export function fullNameCandidates(relative: string, given?: ServiceDescriptor): string[] {
  const hosts = Object.values(services).map((s) => s.host);
  return (given ? [given.host, ...hosts] : hosts).map((host) => `//${host}/${relative}`);
}

// `https://dataplex.googleapis.com/v1/projects/.../operations/o:cancel`: a REST URL of a name.
// Host (no port but :443), one API version segment (v1, v1alpha, v1beta1), the name, an
// optional verb of the Operations mixin, and query or fragment (ignored).
const REST_URL =
  /^https?:\/\/([a-z0-9.-]+)(?::443)?\/v\d+[a-z0-9]*\/([^?#]+?)(?::(?:cancel|wait))?(?:[?#].*)?$/i;

/** True for text that is a URL (`scheme://`), never an operation name. */
export function looksLikeUrl(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
}

/**
 * Full names that a mistyped name most likely meant: a REST URL's name on its host, and
 * `host/name` (a full name without its leading `//`). Unchecked: pass them to checkedSuggestions.
 */
export function repairedCandidates(input: string, kind: NameKind): string[] {
  const out: string[] = [];
  const url = REST_URL.exec(input);
  if (url) {
    let name = url[2] as string;
    // ListOperations' URL is `{parent}/operations`: the parent is the name a list takes.
    if (kind === 'list-parent') name = name.replace(/\/operations$/, '');
    out.push(`//${(url[1] as string).toLowerCase()}/${name}`);
  }
  const first = input.split('/', 1)[0] as string;
  if (!looksLikeUrl(input) && first.includes('.')) out.push(`//${input}`);
  return out;
}

/** Names quoted (escaped, one line) and joined, within about `budget` characters (at least one is shown). */
export function quoteNames(suggestions: readonly Suggestion[], budget = 600): string {
  const shown: string[] = [];
  let length = 0;
  for (const s of suggestions) {
    const q = quoteText(s.fullName);
    if (shown.length > 0 && length + q.length > budget) break;
    shown.push(q);
    length += q.length + 2;
  }
  return shown.join(', ');
}

/** `a`, `a and b`, `a, b and c` (or with `or`). */
export function joinList(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** Patterns per service shown in `expectedShapes`; the rest of a service's are counted. */
const SHAPES_PER_SERVICE = 2;

/**
 * The shapes the built-in services take for `kind`, briefly: each pattern once with the services
 * that take it, a service's first two patterns (and any it shares), and a count of the rest.
 * `"projects/*\/operations/*" (datastore), ...; discoveryengine takes 9 more`.
 */
export function expectedShapes(kind: NameKind): string {
  const list = Object.values(services);
  const shown = new Map<string, string[]>();
  for (const s of list) {
    for (const p of patternsOf(s, kind).slice(0, SHAPES_PER_SERVICE)) shown.set(p, []);
  }
  const more: string[] = [];
  for (const s of list) {
    let hidden = 0;
    for (const p of patternsOf(s, kind)) {
      const ids = shown.get(p);
      if (ids) ids.push(s.id);
      else hidden++;
    }
    if (hidden > 0) more.push(`${s.id} takes ${hidden} more`);
  }
  const shapes = [...shown].map(([p, ids]) => `${quoteText(p)} (${ids.join(', ')})`).join(', ');
  return more.length > 0 ? `${shapes}; ${more.join(', ')}` : shapes;
}
