import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Write a file so that readers never see it half-written: write a sibling temporary file, then
 * rename it over the target (atomic on one filesystem).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // A write that fails after the open (ENOSPC, EDQUOT, EIO) carries no path: name the target, so the
    // one-line error says which file could not be written.
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e === 'object' && !e.path) e.path = path;
    throw err;
  }
}
