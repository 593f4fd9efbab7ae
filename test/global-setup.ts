import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The folder the CLI tests run the command from: the sources compiled once per test run (tsc, as
 * `npm run build` compiles them, into a folder beside src so the package root is where it is from
 * dist). Starting the CLI from compiled JavaScript instead of through tsx saves about half a second
 * a start, a second for commands that train, over the hundred-odd starts of the suite.
 */
export const TEST_CLI_DIR = '.test-dist';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', TEST_CLI_DIR, '--declaration', 'false', '--sourceMap', 'false', '--incremental', '--tsBuildInfoFile', `${TEST_CLI_DIR}/.tsbuildinfo`],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`compiling the CLI for the tests failed:\n${r.stdout}${r.stderr}`);
}
