// Characters JSON.stringify leaves raw that terminals or log viewers may act on (DEL, C1
// controls such as U+009B CSI, line/paragraph separators): escaped in messages too.
const RAW_AFTER_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** A value quoted for a message: one line, every control character escaped (JSON style). */
export function quoteText(value: string): string {
  return JSON.stringify(value).replace(
    RAW_AFTER_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
