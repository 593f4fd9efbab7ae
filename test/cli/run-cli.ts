import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_CLI_DIR } from '../global-setup.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI's entry as the test run compiled it from the sources (test/global-setup.ts). */
export const CLI_ENTRY = `${TEST_CLI_DIR}/cli/main.js`;

/** Run the CLI, compiled from the current sources, as a user would run `skewbench …`, and capture what it prints. */
export function runCli(args: string[], options: { env?: Record<string, string>; timeout?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_ENTRY, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    timeout: options.timeout ?? 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI without waiting for it (to interrupt it); stdout and stderr are collected. */
export function startCli(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => text, exit };
}
