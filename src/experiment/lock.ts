import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';

/** The file that says a run is writing into a results folder. */
export const LOCK_FILE = '.lock';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

/** A one-line reason for a failed write, e.g. "no space left on device". */
export function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a file of that name is in the way',
    EIO: 'input/output error',
  };
  return (code && words[code]) ?? (code ? code.toLowerCase() : String((err as Error)?.message ?? err));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the results folder for this process: creates it, proves it writable, and holds `.lock`
 * (pid, host, start time) until `release`. A second run into the same folder is an InputError
 * naming the holder; a lock left by a process of this host that is gone is taken over, with
 * `onNotice` told so.
 */
export function lockResultsFolder(out: string, onNotice: (line: string) => void = () => {}): { release(): void } {
  const path = join(out, LOCK_FILE);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create the results folder ${out}: ${ioReason(err)}`);
  }
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me) + '\n', { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`cannot write into the results folder ${out}: ${ioReason(err)}`);
    }
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    } catch {
      holder = undefined; // torn or foreign: treat as stale
    }
    const stale = !holder || (holder.host === me.host && !alive(holder.pid));
    if (!stale) {
      throw new InputError(
        `${out}: another run is writing here (pid ${holder!.pid} on ${holder!.host}, since ${holder!.startedAt}); wait for it, or use another --out (delete ${path} if that run is gone)`,
      );
    }
    onNotice(`${out}: taking over the lock of a run that is gone${holder ? ` (pid ${holder.pid}, since ${holder.startedAt})` : ''}`);
    rmSync(path, { force: true });
  }
  throw new InputError(`${out}: cannot take the results folder's lock ${path}`);
}
