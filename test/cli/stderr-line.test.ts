import { runCli } from '../../src/cli/run-cli';
import { stderrLine } from '../../src/cli/stderr-line';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();

test('stderrLine: controls escaped, one line whatever the text', () => {
  expect(stderrLine('a\nb\rc\u001b[31md\u2028')).toBe('a\\nb\\rc\\u001b[31md\\u2028\n');
});

test.each(['list', 'cancel-all'])(
  '%s: a parent holding CR/LF and escape sequences cannot forge stderr lines',
  async (command) => {
    const c = capture();
    const code = await runCli(
      [
        command,
        'projects/p\nlro-cancel: forged\r\u001b[2K',
        '--service',
        'datastore',
        '--emulator',
        emu.get().target,
      ],
      c.io,
    );
    expect(code).toBe(2);
    const lines = c.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('projects/p\\nlro-cancel: forged\\r\\u001b[2K');
  },
);
