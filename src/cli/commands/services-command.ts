import { services } from '../../registry/service-registry';
import type { CommandIO } from '../command-io';
import { ExitCode } from '../exit-error';

/** Options of `lro-cancel services`. */
export interface ServicesCommandOptions {
  /** Print a JSON array instead of a table. */
  json: boolean;
}

/** Print the service registry: id, host, API version, CancelOperation name patterns, scopes. */
export async function servicesCommand(
  options: ServicesCommandOptions,
  io: Pick<CommandIO, 'stdout'>,
): Promise<number> {
  const list = Object.values(services);
  if (options.json) {
    const rows = list.map((s) => ({
      id: s.id,
      host: s.host,
      port: s.port,
      version: s.apiVersion,
      patterns: s.cancelPatterns,
      getPatterns: s.getPatterns,
      scopes: s.scopes,
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.OK;
  }
  const lines: string[] = [];
  for (const s of list) {
    lines.push(`${s.id}  ${s.host}:${s.port}  ${s.apiVersion}`);
    for (const p of s.cancelPatterns) lines.push(`  pattern  ${p}`);
    for (const scope of s.scopes) lines.push(`  scope    ${scope}`);
    lines.push('');
  }
  lines.push('Any other service: --service-host HOST (names ending in /operations/ID).', '');
  io.stdout.write(lines.join('\n'));
  return ExitCode.OK;
}
