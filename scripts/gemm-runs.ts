/*
 * The GEMM benchmark, run several times: `npm run bench:gemm -- [runs]` runs
 * `taskset -c 1 node dist/cli/main.js bench gemm --json` that many times (default 5), one after the
 * other, and writes every run to results/bench/gemm.json, which the README's table is rendered from
 * (each case's median share over the runs, and the lowest and highest). Needs `npm run build` and taskset.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const count = Number(process.argv[2] ?? '5');
if (!Number.isInteger(count) || count < 1) throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);
const command = ['-c', '1', process.execPath, 'dist/cli/main.js', 'bench', 'gemm', '--json'];
const runs: unknown[] = [];
for (let run = 1; run <= count; run++) {
  runs.push(JSON.parse(execFileSync('taskset', command, { cwd: root, encoding: 'utf8' })));
  process.stderr.write(`bench gemm: run ${run} of ${count} done\n`);
}
mkdirSync(`${root}results/bench`, { recursive: true });
const shown = ['taskset', ...command].join(' ').replace(process.execPath, 'node');
writeFileSync(`${root}results/bench/gemm.json`, `${JSON.stringify({ command: shown, runs }, null, 2)}\n`);
