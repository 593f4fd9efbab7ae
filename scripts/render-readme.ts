/*
 * Renders the README's figures from the committed result files (results/full, results/bench, …):
 * `npm run readme` rewrites README.md; `npm run readme -- --check` exits 1 when it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReadme } from '../src/report/readme.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const path = `${root}README.md`;
const current = readFileSync(path, 'utf8');
const rendered = renderReadme(current, root);
if (process.argv.includes('--check')) {
  if (rendered !== current) {
    process.stderr.write('README.md: its rendered figures differ from the result files; run npm run readme\n');
    process.exitCode = 1;
  }
} else if (rendered !== current) {
  writeFileSync(path, rendered);
  process.stdout.write('README.md: figures rendered afresh\n');
}
