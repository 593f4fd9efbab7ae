import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Blocks the thread for `ms` (the lock is taken synchronously, before any work starts). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readHolder(path: string): { text: string | null; holder: Holder | undefined } {
  let text: string | null;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { text: null, holder: undefined }; // gone meanwhile
  }
  try {
    return { text, holder: JSON.parse(text) as Holder };
  } catch {
    return { text, holder: undefined }; // torn or foreign: treat as stale
  }
}

/** A takeover claim older than this was left by a process that died while taking over: it is removed. */
const TAKEOVER_STALE_MS = 10_000;
const ATTEMPTS = 200;

/**
 * Takes the results folder for this process: creates it, proves it writable, and holds `.lock`
 * (pid, host, start time) until `release`. A second run into the same folder is an InputError
 * naming the holder; a lock left by a process of this host that is gone is taken over, with
 * `onNotice` told so.
 *
 * The lock is only ever created with O_EXCL, so two runs cannot both create it. Removing a dead
 * run's lock is the one step that could let two in (each removes it, one creates, the other removes
 * that): it is done only under a second O_EXCL claim, `.lock.takeover`, by the one process holding
 * that claim, after it has re-read the lock and found the very same dead holder.
 */
export function lockResultsFolder(out: string, onNotice: (line: string) => void = () => {}): { release(): void } {
  const path = join(out, LOCK_FILE);
  const claim = `${path}.takeover`;
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create the results folder ${out}: ${ioReason(err)}`);
  }
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
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
    const seen = readHolder(path);
    if (seen.text === null) continue; // released meanwhile: try again
    const { holder } = seen;
    const stale = !holder || (holder.host === me.host && !alive(holder.pid));
    if (!stale) {
      throw new InputError(
        `${out}: another run is writing here (pid ${holder!.pid} on ${holder!.host}, since ${holder!.startedAt}); wait for it, or use another --out (delete ${path} if that run is gone)`,
      );
    }
    try {
      writeFileSync(claim, JSON.stringify(me) + '\n', { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`cannot write into the results folder ${out}: ${ioReason(err)}`);
      // Another run is taking over: wait for it, then look again (its lock will then be alive).
      try {
        if (Date.now() - statSync(claim).mtimeMs > TAKEOVER_STALE_MS) rmSync(claim, { force: true });
      } catch {
        // The claim went away meanwhile.
      }
      pause(5);
      continue;
    }
    try {
      if (readHolder(path).text === seen.text) {
        onNotice(`${out}: taking over the lock of a run that is gone${holder ? ` (pid ${holder.pid}, since ${holder.startedAt})` : ''}`);
        rmSync(path, { force: true });
      }
    } finally {
      rmSync(claim, { force: true });
    }
  }
  throw new InputError(`${out}: cannot take the results folder's lock ${path}`);
}
