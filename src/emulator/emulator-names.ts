/**
 * What the emulator accepts as a `name`, checked the same way for every method before any
 * store lookup: a malformed or empty name is INVALID_ARGUMENT (as Google's servers answer),
 * never NOT_FOUND.
 */

/** Longest name accepted (same bound as the client's parser). */
const MAX_NAME_LENGTH = 1024;

// A segment: anything but '/', whitespace and control characters.
const SEGMENT = /^[^/\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]+$/u;

/** Why `name` is not a name the emulator takes for `kind`, or undefined when it is. */
export function nameProblem(name: string, kind: 'operation' | 'parent'): string | undefined {
  if (name === '') return 'name is required';
  if (name.length > MAX_NAME_LENGTH) return `name is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.startsWith('//'))
    return 'name must be a relative resource name (the full "//host/..." form is not accepted on the wire)';
  const segments = name.split('/');
  if (!segments.every((s) => SEGMENT.test(s)))
    return 'name has an empty segment, whitespace or a control character';
  if (kind === 'operation') {
    // Every Operations mixin binding ends in `.../operations/{id}`, with a parent before it.
    if (segments.length < 3 || segments[segments.length - 2] !== 'operations')
      return 'name is not an operation name (expected ".../operations/OPERATION_ID")';
  } else if (segments[segments.length - 1] === 'operations') {
    return 'name is the collection; ListOperations takes its parent (e.g. "projects/P/locations/L")';
  }
  return undefined;
}
