/*
 * Training throughput, in back-to-back pairs: `npm run bench:pairs -- [pairs]` writes
 * results/bench/training.json with every pair it ran (the README's tables are rendered from it).
 * Three comparisons, each pair run one right after the other:
 *   - the reference MLP and CNN at 28×28×1 against the PyTorch yardstick, both pinned to one core;
 *   - the reference CNN at 64×64×3 against the yardstick, both pinned to one core;
 *   - the same 64×64×3 CNN on two threads against one thread, both pinned to the same two cores.
 * Needs `npm run build`, taskset and Python with PyTorch (`/usr/bin/python3`, or PYTHON=…).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../src/bench/machine.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const count = Number(process.argv[2] ?? '3');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const lines = (text: string): unknown[] => text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));

interface Side {
  label: string;
  cores: string;
  program: 'skewbench' | 'torch';
  args: string[];
}

const RGB64 = ['--model', 'cnn', '--size', '64', '--channels', '3', '--images', '1024'];
const configurations: Array<{ name: string; title: string; a: Side; b: Side }> = [
  {
    name: 'reference',
    title: 'reference MLP and CNN, 28×28×1, one core',
    a: { label: 'skewbench wasm', cores: '1', program: 'skewbench', args: [] },
    b: { label: 'PyTorch, 1 thread', cores: '1', program: 'torch', args: [] },
  },
  {
    name: 'rgb64',
    title: 'reference CNN, 64×64×3, one core',
    a: { label: 'skewbench wasm', cores: '1', program: 'skewbench', args: RGB64 },
    b: { label: 'PyTorch, 1 thread', cores: '1', program: 'torch', args: RGB64 },
  },
  {
    name: 'threads',
    title: 'reference CNN, 64×64×3, two threads against one, two cores',
    a: { label: 'skewbench wasm, --threads 2', cores: '0,1', program: 'skewbench', args: [...RGB64, '--threads', '2'] },
    b: { label: 'skewbench wasm, --threads 1', cores: '0,1', program: 'skewbench', args: [...RGB64, '--threads', '1'] },
  },
];

function command(side: Side): { file: string; args: string[] } {
  if (side.program === 'skewbench') return { file: 'taskset', args: ['-c', side.cores, process.execPath, 'dist/cli/main.js', 'bench', 'training', '--backend', 'wasm', '--json', ...side.args] };
  // The yardstick takes the same workload flags (--model, --size, --channels, --images).
  return { file: 'taskset', args: ['-c', side.cores, python, 'src/bench/torch_throughput.py', ...side.args] };
}

const shown = (c: { file: string; args: string[] }) => [c.file, ...c.args].join(' ').replace(process.execPath, 'node').replace(python, 'python3');
const machine = machineInfo();
const results = configurations.map((c) => ({ name: c.name, title: c.title, a: { label: c.a.label, command: shown(command(c.a)) }, b: { label: c.b.label, command: shown(command(c.b)) }, pairs: [] as Array<{ pair: number; a: unknown[]; b: unknown[] }> }));
for (let pair = 1; pair <= count; pair++) {
  configurations.forEach((c, i) => {
    const run = (side: Side) => {
      const { file, args } = command(side);
      return lines(execFileSync(file, args, { cwd: root, encoding: 'utf8' }));
    };
    const a = run(c.a);
    const b = run(c.b);
    results[i].pairs.push({ pair, a, b });
    process.stderr.write(`${c.name}: pair ${pair} done\n`);
  });
}
mkdirSync(`${root}results/bench`, { recursive: true });
writeFileSync(`${root}results/bench/training.json`, JSON.stringify({ machine, configurations: results }, null, 2) + '\n');
