import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

const ATTEMPTS = 200;

/**
 * Creates `path` holding `text` only if it does not exist, and never visible half-written: the text
 * goes to a private temporary file first, which is then hard-linked into place (atomic; EEXIST when
 * the name is taken). False when it was taken; other errors are thrown.
 */
function createWhole(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

const isStale = (holder: Holder | undefined, host: string): boolean => !holder || (holder.host === host && !alive(holder.pid));

/**
 * Removes a takeover claim left by a process of this host that is gone. It is moved aside first (one
 * process wins the rename) and removed only if it is still that dead process's claim; a live claim
 * moved by mistake is put back.
 */
function clearDeadClaim(claim: string, host: string): void {
  const seen = readHolder(claim);
  if (seen.text === null || !isStale(seen.holder, host)) return;
  const aside = `${claim}.${process.pid}.aside`;
  try {
    renameSync(claim, aside);
  } catch {
    return; // someone else moved or removed it
  }
  if (readHolder(aside).text !== seen.text) {
    try {
      linkSync(aside, claim);
    } catch {
      // A new claim is already in place: the one moved aside is dropped.
    }
  }
  rmSync(aside, { force: true });
}

/**
 * Takes the results folder for this process: creates it, proves it writable, and holds `.lock`
 * (pid, host, start time) until `release`. A second run into the same folder is an InputError
 * naming the holder; a lock left by a process of this host that is gone is taken over, with
 * `onNotice` told so.
 *
 * The lock is only ever created whole and only if absent (`createWhole`), so two runs cannot both
 * create it and nobody reads half a lock. Removing a dead run's lock is the one step that could let
 * two in (each removes it, one creates, the other removes that): it is done only under a second
 * exclusive claim, `.lock.takeover`, by the one process holding that claim, after it has re-read the
 * lock and found the very same dead holder.
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
  const mine = JSON.stringify(me) + '\n';
  const attempt = (file: string): boolean => {
    try {
      return createWhole(file, mine);
    } catch (err) {
      throw new InputError(`cannot write into the results folder ${out}: ${ioReason(err)}`);
    }
  };
  for (let tries = 0; tries < ATTEMPTS; tries++) {
    if (attempt(path)) {
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    }
    const seen = readHolder(path);
    if (seen.text === null) continue; // released meanwhile: try again
    const { holder } = seen;
    if (!isStale(holder, me.host)) {
      throw new InputError(
        `${out}: another run is writing here (pid ${holder!.pid} on ${holder!.host}, since ${holder!.startedAt}); wait for it, or use another --out (delete ${path} if that run is gone)`,
      );
    }
    if (!attempt(claim)) {
      // Another run is taking over: wait for it, then look again (its lock will then be alive).
      clearDeadClaim(claim, me.host);
      pause(5);
      continue;
    }
    let tookOver = false;
    try {
      if (readHolder(path).text === seen.text) {
        rmSync(path, { force: true });
        tookOver = true;
      }
    } finally {
      rmSync(claim, { force: true });
    }
    if (tookOver) onNotice(`${out}: taking over the lock of a run that is gone${holder ? ` (pid ${holder.pid}, since ${holder.startedAt})` : ''}`);
  }
  throw new InputError(`${out}: cannot take the results folder's lock ${path}`);
}
