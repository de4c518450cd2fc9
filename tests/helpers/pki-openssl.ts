import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What an openssl run printed and how it ended. */
export interface OpensslResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the openssl command line tool; never throws on a non-zero exit. */
export function openssl(args: readonly string[], input?: string): OpensslResult {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch directory under the OS temp dir; call `remove()` when done. */
export interface TempDir {
  readonly path: string;
  /** Writes `content` to `name` inside the directory and returns its path. */
  write(name: string, content: string | Uint8Array): string;
  remove(): void;
}

/** Makes a {@link TempDir}. */
export function createTempDir(prefix = 'ortoo-pki-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Seconds since the epoch, as `openssl verify -attime` wants them. */
export function epochSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}
