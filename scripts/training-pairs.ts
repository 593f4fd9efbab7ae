/*
 * Training throughput against the PyTorch yardstick, in back-to-back pairs pinned to one core:
 * `npm run bench:pairs -- [pairs] [extra bench-training flags…]` writes results/bench/training.json
 * with every pair it ran (the README's table is rendered from it). Needs `npm run build`, taskset and
 * Python with PyTorch (`/usr/bin/python3`, or PYTHON=…).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../src/bench/machine.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const [count = '3', ...flags] = process.argv.slice(2);
const python = process.env.PYTHON ?? '/usr/bin/python3';
const core = process.env.CORE ?? '1';
const lines = (text: string): unknown[] => text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
const torchFlags = flags.filter((f, i) => ['--size', '--channels'].includes(f) || ['--size', '--channels'].includes(flags[i - 1] ?? ''));

const machine = machineInfo();
const pairs = [];
for (let pair = 1; pair <= Number(count); pair++) {
  const tfjs = lines(execFileSync('taskset', ['-c', core, process.execPath, 'dist/cli/main.js', 'bench', 'training', '--backend', 'wasm', '--json', ...flags], { cwd: root, encoding: 'utf8' }));
  const torch = lines(execFileSync('taskset', ['-c', core, python, 'src/bench/torch_throughput.py', ...torchFlags], { cwd: root, encoding: 'utf8' }));
  pairs.push({ pair, tfjs, torch });
  process.stderr.write(`pair ${pair} done\n`);
}
mkdirSync(`${root}results/bench`, { recursive: true });
const out = {
  machine,
  command: `taskset -c ${core} node dist/cli/main.js bench training --backend wasm --json ${flags.join(' ')}`.trim() + `  vs  taskset -c ${core} python3 src/bench/torch_throughput.py ${torchFlags.join(' ')}`.trimEnd(),
  pairs,
};
writeFileSync(`${root}results/bench/training.json`, JSON.stringify(out, null, 2) + '\n');
