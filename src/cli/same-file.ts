/**
 * `batch --input`, `--output` and `--journal` naming one file is refused before anything is
 * opened: the output truncates the names before they are read, a journal appended to the input
 * is read back as more names (it grew by gigabytes a minute), and an output on the journal
 * truncates the record of what was done before it is replayed, so everything is sent again.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './exit-error';

export interface FileFlag {
  flag: string;
  /** The path given; '-' (stdin/stdout) and undefined are never compared. */
  path: string | undefined;
}

const WHY: Readonly<Record<string, string>> = {
  '--input --output': 'writing the output would truncate the names before they are read',
  '--input --journal': 'the journal would append to the names being read',
  '--journal --output': 'writing the output would truncate the journal before it is read',
};

/** Throws a usage error (exit 2) naming both flags when two of `files` are one file. */
export async function checkDistinctFiles(files: readonly FileFlag[], command: string): Promise<void> {
  const named = files.filter(
    (f): f is { flag: string; path: string } => f.path !== undefined && f.path !== '-',
  );
  const ids = await Promise.all(named.map((f) => fileIdentity(f.path)));
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      if (ids[i] !== ids[j]) continue;
      const [a, b] = [named[i], named[j]] as [FileFlag, FileFlag];
      const why = WHY[[a.flag, b.flag].sort().join(' ')];
      const shown = a.path === b.path ? `"${a.path}"` : `"${a.path}" and "${b.path}"`;
      throw new UsageError(
        `${a.flag} and ${b.flag} are the same file (${shown})${why ? `: ${why}` : ''}`,
        command,
      );
    }
  }
}

/**
 * The file a path names: device and inode when it exists (so symlinks and hard links match),
 * else the real path of its directory plus its name (the file that opening it would create).
 */
async function fileIdentity(p: string, depth = 0): Promise<string> {
  try {
    const s = await fsp.stat(p, { bigint: true });
    return `inode ${s.dev}:${s.ino}`;
  } catch {
    // Not there yet (or not reachable): below.
  }
  try {
    // A dangling symlink: opening it for writing creates its target.
    if (depth < 40 && (await fsp.lstat(p)).isSymbolicLink())
      return fileIdentity(path.resolve(path.dirname(p), await fsp.readlink(p)), depth + 1);
  } catch {
    // Nothing at all at that path.
  }
  let dir = path.dirname(path.resolve(p));
  try {
    dir = await fsp.realpath(dir);
  } catch {
    // The directory is missing too: opening will fail and say so; compare the paths as given.
  }
  return `path ${path.join(dir, path.basename(p))}`;
}
