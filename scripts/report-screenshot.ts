/*
 * The README's picture of report.html: builds the page of the committed results/full (from its CSVs
 * and manifest, in a temporary folder) and photographs its top in headless Chromium.
 *   npm run readme:screenshot        (CHROMIUM_PATH overrides /usr/bin/chromium)
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { InputError } from '../src/errors.js';
import { aggregate } from '../src/report/aggregate.js';
import { writeHtmlReport } from '../src/report/html.js';
import { readManifest } from '../src/report/manifest.js';
import { readResults } from '../src/report/results.js';

const SOURCE = 'results/full';
const OUT = 'results/full/report.png';
const FILES = ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv', 'manifest.json'];

const dir = mkdtempSync(join(tmpdir(), 'skewbench-screenshot-'));
const profile = mkdtempSync(join(tmpdir(), 'skewbench-chromium-'));
try {
  // history.csv (the learning curves) is listed in the manifest of runs that wrote it.
  for (const f of [...FILES, ...(existsSync(join(SOURCE, 'history.csv')) ? ['history.csv'] : [])]) copyFileSync(join(SOURCE, f), join(dir, f));
  const records = readResults(dir);
  const page = writeHtmlReport(dir, { aggregate: aggregate(records), records, manifest: readManifest(dir) });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1250 },
    offline: true,
  });
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(page).href);
  await tab.waitForSelector('body[data-charts="rendered"]', { timeout: 30_000 });
  await tab.screenshot({ path: OUT });
  await context.close();
  process.stdout.write(`${OUT}\n`);
} catch (err) {
  // Results the code cannot read (e.g. written by an older version): one line, as the CLI says it.
  if (!(err instanceof InputError)) throw err;
  process.stderr.write(`report-screenshot: ${err.message.replaceAll(dir, SOURCE)}\n`);
  process.exitCode = 2;
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
