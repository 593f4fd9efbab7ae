import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A full disk: the temporary file opens, the write fails with ENOSPC, and (as Node reports a failed
// write on an open descriptor) the error names no path.
const fault = { on: false };
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writeFileSync: (...args: Parameters<typeof fs.writeFileSync>) => {
      if (fault.on) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      return fs.writeFileSync(...args);
    },
  };
});

const { writeFileAtomic } = await import('../src/fs-atomic.js');
const { ioReason } = await import('../src/experiment/lock.js');

afterEach(() => {
  fault.on = false;
});

describe('writeFileAtomic', () => {
  it('writes the file, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-atomic-'));
    writeFileAtomic(join(dir, 'a.csv'), 'x\n');
    expect(readdirSync(dir)).toEqual(['a.csv']);
  });

  it('a write that fails on a full disk names the target file and leaves nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-atomic-'));
    const target = join(dir, 'per_label.csv');
    fault.on = true;
    let thrown: NodeJS.ErrnoException | undefined;
    try {
      writeFileAtomic(target, 'x\n');
    } catch (err) {
      thrown = err as NodeJS.ErrnoException;
    }
    expect(thrown?.code).toBe('ENOSPC');
    expect(thrown?.path).toBe(target);
    expect(ioReason(thrown)).toBe('no space left on device');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
