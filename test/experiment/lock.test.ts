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
/** How long the contender that gets the lock holds it. */
const HOLD_MS = 800;

function contend(out: string, startAt: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/experiment/lock-contender.ts', out, String(startAt), String(HOLD_MS)], { cwd: root });
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
    let contended = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const out = join(base, `r${round}`);
      mkdirSync(out);
      writeFileSync(join(out, '.lock'), JSON.stringify({ pid: GONE, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
      // Start together once every process has loaded: tsx takes up to a second or two here.
      const startAt = Date.now() + 3000;
      const outcomes = (await Promise.all(Array.from({ length: CONTENDERS }, () => contend(out, startAt)))).map((o) => o.split(' '));
      expect(outcomes.every(([what]) => what === 'held' || what === 'refused'), outcomes.join(' | ')).toBe(true);
      const held = outcomes.filter(([what]) => what === 'held').map(([, got, letGo]) => [Number(got), Number(letGo)]).sort((a, b) => a[0] - b[0]);
      expect(held.length, `round ${round}`).toBeGreaterThanOrEqual(1);
      // never two at once: each printed span lies inside the real one, so spans that overlap were held together
      for (let i = 1; i < held.length; i++) expect([round, held[i][0] >= held[i - 1][1]]).toEqual([round, true]);
      // a contender that started late, after the lock was let go, may take it in turn; a round in which
      // every contender tried while the first held it is the race this test is for
      // the first time each printed: when it got the lock, or when it tried and was refused
      const tries = outcomes.map(([, first]) => Number(first));
      if (held.length === 1 && tries.every((t) => t <= held[0][1])) contended++;
      expect(existsSync(join(out, '.lock'))).toBe(false);
      expect(existsSync(join(out, '.lock.takeover'))).toBe(false);
    }
    // on a machine this busy that most rounds were not races, the test has not tested the lock
    expect(contended).toBeGreaterThanOrEqual(ROUNDS / 2);
  }, 90_000);

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
