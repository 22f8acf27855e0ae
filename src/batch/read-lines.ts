import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Longest input line kept, in characters. Longer lines are cut here and fail validation. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Marker appended to a cut line, so the record says why it was rejected. */
export const OVERLONG_MARK = '\u0000[line too long]';

/**
 * Split a byte stream into lines ('\n'; a trailing '\r' is left for classifyLine), with memory
 * bounded by MAX_LINE_CHARS whatever the input: an over-long line is cut, marked with a
 * control character (so name validation rejects it), and the rest of it skipped.
 * Invalid UTF-8 decodes to U+FFFD, which validation also rejects.
 */
export async function* readLines(input: Readable | AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let overlong = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        if (!overlong) {
          partial += text.slice(start);
          if (partial.length > MAX_LINE_CHARS) {
            partial = partial.slice(0, 64) + OVERLONG_MARK;
            overlong = true;
          }
        }
        break;
      }
      const line = overlong ? partial : partial + text.slice(start, nl);
      partial = '';
      overlong = false;
      yield line.length > MAX_LINE_CHARS ? line.slice(0, 64) + OVERLONG_MARK : line;
      start = nl + 1;
    }
  }
  const rest = partial + decoder.end();
  if (rest.length > 0) yield rest;
}
