/**
 * The `lro-cancel` process (loaded by main.ts). The only module that touches the process: it
 * wires signals and streams into `runCli` and sets the exit status. Everything else returns codes.
 */
import { runCli } from './run-cli';

const controller = new AbortController();
let interrupts = 0;
function onSignal(signal: NodeJS.Signals): void {
  interrupts++;
  // A second Ctrl-C means "now": do not wait for calls in flight to report.
  if (interrupts > 1) process.exit(130);
  controller.abort(new Error(`received ${signal}`));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// `lro-cancel ... | head` closes the pipe early: stop quietly, as other CLIs do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  // A getter: process.stdin is created on first access, so only commands that read it pay for it.
  get stdin() {
    return process.stdin;
  },
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Let stdout drain and exit on its own; if some handle lingers, do not hang the shell.
  setTimeout(() => process.exit(code), 2000).unref();
});
