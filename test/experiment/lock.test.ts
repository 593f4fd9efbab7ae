import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lockResultsFolder } from '../../src/experiment/lock.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CONTENDERS = 4;
const ROUNDS = 6;

function contend(out: string, startAt: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/experiment/lock-contender.ts', out, String(startAt), '400'], { cwd: root });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(text.trim()));
  });
}

/** A pid no process has: the largest pid the kernel hands out is far below this. */
const GONE = 4_000_000;

describe('the results folder lock', () => {
  it('lets exactly one of several runs in, even when they all find the lock of a run that is gone', async () => {
    const base = mkdtempSync(join(tmpdir(), 'skewbench-lock-'));
    for (let round = 0; round < ROUNDS; round++) {
      const out = join(base, `r${round}`);
      mkdirSync(out);
      writeFileSync(join(out, '.lock'), JSON.stringify({ pid: GONE, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
      // Start together once every process has loaded: tsx takes up to a second or two here.
      const startAt = Date.now() + 2500;
      const outcomes = await Promise.all(Array.from({ length: CONTENDERS }, () => contend(out, startAt)));
      expect([round, outcomes.filter((o) => o === 'held').length]).toEqual([round, 1]);
      expect(outcomes.filter((o) => o === 'refused')).toHaveLength(CONTENDERS - 1);
      expect(existsSync(join(out, '.lock'))).toBe(false);
      expect(existsSync(join(out, '.lock.takeover'))).toBe(false);
    }
  }, 60_000);

  it('a takeover claim left by a process that is gone does not block the folder', () => {
    const out = mkdtempSync(join(tmpdir(), 'skewbench-lock-claim-'));
    const dead = JSON.stringify({ pid: GONE, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    writeFileSync(join(out, '.lock'), dead);
    writeFileSync(join(out, '.lock.takeover'), dead);
    const notices: string[] = [];
    const lock = lockResultsFolder(out, (line) => notices.push(line));
    expect(notices).toEqual([expect.stringMatching(/taking over the lock of a run that is gone \(pid 4000000/)]);
    expect(JSON.parse(readFileSync(join(out, '.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(out)).toEqual([]);
  });
});
