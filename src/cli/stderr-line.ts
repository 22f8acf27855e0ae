import { redactSecrets } from './redact';

/**
 * One line for stderr: credentials redacted, and C0/C1 controls, DEL and U+2028/2029 shown as
 * \r, \n, \t or \uXXXX, so that a flag value, a name or a server message holding CR, LF or
 * escape sequences cannot forge lines of its own or drive the terminal.
 */
export function stderrLine(text: string): string {
  return `${escapeControls(redactSecrets(text))}\n`;
}

function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
