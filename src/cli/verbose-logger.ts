import type { Logger } from '../observability/observability-types';
import { stderrLine } from './stderr-line';

/**
 * `--verbose`: the library's debug logs as JSON lines (pino's shape: level, time, msg, then the
 * fields), one per attempt, retry and result. Each passes stderrLine, so anything
 * credential-shaped is redacted and no control character can forge a line.
 */
export function jsonLinesLogger(stderr: { write(chunk: string): unknown }): Logger {
  const at =
    (level: string) =>
    (obj: Record<string, unknown>, msg: string): void => {
      stderr.write(stderrLine(JSON.stringify({ level, time: Date.now(), msg, ...obj })));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
