/// <reference lib="dom" />
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { perLabelF1Points } from '../../src/report/chart-specs.js';
import { readResults } from '../../src/report/results.js';
import { runCli } from '../cli/run-cli.js';
import { openBrowser } from './browser.js';

/*
 * report.html of the smoke suite in a real headless Chromium: every chart draws SVG marks, sorting
 * and the group filter change the table, tooltips appear, nothing is fetched and nothing is logged
 * as an error. A screenshot lands in SKEWBENCH_SCREENSHOT (default: the temporary folder).
 */

/** A manifest as a run without a history.csv would have written it (for folders given a history.csv by hand). */
function withoutHistory(manifest: string): string {
  const m = JSON.parse(manifest) as { files: string[]; sha256: Record<string, string> };
  m.files = m.files.filter((f) => f !== 'history.csv');
  delete m.sha256['history.csv'];
  return JSON.stringify(m, null, 2);
}

const CSVS = ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv', 'history.csv', 'manifest.json'];

interface Opened {
  page: Page;
  problems: string[];
}

describe('report.html in headless Chromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-html-'));
  const run = join(root, 'run');
  const withHistory = join(root, 'with-history');
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  async function open(dir: string): Promise<Opened> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.waitForSelector('body[data-charts="rendered"]', { timeout: 10_000 });
    return { page, problems };
  }

  /** Sort keys of one column of a table's visible rows. */
  async function column(page: Page, table: string, col: number): Promise<string[]> {
    return page.$$eval(`#${table} tbody tr`, (rows, c) => rows.filter((r) => !(r as HTMLElement).hidden).map((r) => (r as HTMLTableRowElement).cells[c].getAttribute('data-sort') ?? r.textContent ?? ''), col);
  }

  beforeAll(async () => {
    const r = runCli(['run', 'experiments/smoke.json', '--out', run, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    // The same results with a history.csv a user wrote (two epochs per trial, loss falling) instead of the run's.
    mkdirSync(withHistory);
    for (const f of CSVS.filter((f) => f !== 'history.csv' && f !== 'manifest.json')) copyFileSync(join(run, f), join(withHistory, f));
    writeFileSync(join(withHistory, 'manifest.json'), withoutHistory(readFileSync(join(run, 'manifest.json'), 'utf8')));
    const trials = readResults(run).map((t) => t.trial);
    writeFileSync(join(withHistory, 'history.csv'), ['trial,epoch,loss,val_macro_f1', ...trials.flatMap((t, i) => [`${t},1,${0.7 + i / 100},0.2`, `${t},2,${0.5 + i / 100},0.3`])].join('\n') + '\n');
    const h = runCli(['report', withHistory]);
    expect(h.code, h.stderr).toBe(0);
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('run writes one self-contained report.html: the libraries inlined, nothing to fetch', () => {
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('vegaEmbed');
    expect(html.length).toBeGreaterThan(500_000);
  });

  it('merge writes report.html too, for the merged folder', () => {
    const merged = join(root, 'merged');
    const m = runCli(['merge', run, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    const html = readFileSync(join(merged, 'report.html'), 'utf8');
    expect(html).toContain('<h1>skewbench · smoke</h1>');
    expect(html.match(/<tr>/g)?.length).toBe(readFileSync(join(run, 'report.html'), 'utf8').match(/<tr>/g)?.length);
  });

  it('draws every chart as SVG with marks, one point per label and method, and shows tooltips', async () => {
    const { page, problems } = await open(run);
    const charts = await page.$$eval('div.chart', (divs) => divs.map((d) => ({ id: d.id, marks: d.querySelectorAll('svg g.mark-symbol path, svg g.mark-line path, svg g.mark-rule line').length })));
    // The run wrote its history.csv, so its learning curves are drawn too.
    expect(charts.map((c) => c.id)).toEqual(['chart-per-label', 'chart-delta', 'chart-curves']);
    for (const c of charts) expect(c.marks, c.id).toBeGreaterThan(0);
    const points = perLabelF1Points(aggregate(readResults(run))).length;
    // The points the page drew are the points of the data (one per label, method and panel).
    const symbols = await page.$$eval('#chart-per-label svg g.mark-symbol.role-mark', (gs) => gs.map((g) => g.querySelectorAll('path').length));
    expect(Math.max(...symbols)).toBe(points);
    expect(await page.locator('#no-curves').count()).toBe(0);

    const point = page.locator('#chart-per-label svg g.mark-symbol path').first();
    await point.hover({ force: true });
    const tooltip = page.locator('#vg-tooltip-element');
    await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
    for (const field of ['label', 'method', 'F1', 'CI', 'seeds', 'training images']) expect(await tooltip.textContent()).toContain(field);

    await page.screenshot({ path: process.env.SKEWBENCH_SCREENSHOT ?? join(tmpdir(), 'skewbench-report.png'), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts the per-label table by a clicked column, both ways, and filters it by label group', async () => {
    const { page, problems } = await open(run);
    const f1 = 5;
    const before = await column(page, 'per-label-table', f1);
    const header = page.locator('#per-label-table thead th').nth(f1);
    await header.click();
    const asc = (await column(page, 'per-label-table', f1)).map(Number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(asc.map(String)).not.toEqual(before);
    await header.click();
    const desc = (await column(page, 'per-label-table', f1)).map(Number);
    expect(desc).toEqual([...asc].sort((a, b) => b - a));

    const all = (await column(page, 'per-label-table', 3)).length;
    await page.selectOption('select[data-filter-for="per-label-table"]', 'tail');
    const groups = await page.$$eval('#per-label-table tbody tr', (rows) => rows.filter((r) => !(r as HTMLElement).hidden).map((r) => (r as HTMLTableRowElement).cells[3].textContent));
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.length).toBeLessThan(all);
    expect(new Set(groups)).toEqual(new Set(['tail']));
    expect(await page.locator('[data-count-for="per-label-table"]').textContent()).toBe(`${groups.length} of ${all} rows`);
    await page.selectOption('select[data-filter-for="per-label-table"]', '');
    expect((await column(page, 'per-label-table', 3)).length).toBe(all);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws learning curves when the folder has a history.csv', async () => {
    const { page, problems } = await open(withHistory);
    const lines = await page.$$eval('#chart-curves svg g.mark-line path', (p) => p.length);
    // Six trials × two series (loss, val_macro_f1).
    expect(lines).toBe(12);
    expect(await page.locator('#no-curves').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('report exits 2 with one line, writing nothing, for a folder without manifest or a broken history.csv', () => {
    const bare = join(root, 'bare');
    mkdirSync(bare);
    for (const f of CSVS.filter((f) => f !== 'manifest.json')) copyFileSync(join(run, f), join(bare, f));
    const r = runCli(['report', bare]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bare: has trials\.csv but no manifest\.json/);
    const broken = join(root, 'broken-history');
    mkdirSync(broken);
    for (const f of CSVS.filter((f) => f !== 'history.csv' && f !== 'manifest.json')) copyFileSync(join(run, f), join(broken, f));
    writeFileSync(join(broken, 'manifest.json'), withoutHistory(readFileSync(join(run, 'manifest.json'), 'utf8')));
    writeFileSync(join(broken, 'history.csv'), 'trial,epoch,loss\nnot-a-trial,1,0.5\n');
    const h = runCli(['report', broken]);
    expect(h.code, h.stderr).toBe(2);
    expect(h.stderr).toMatch(/history\.csv:2: trial not-a-trial is not in the folder's trials\.csv/);
    for (const dir of [bare, broken]) expect(readdirSync(dir).filter((f) => /\.(html|svg|png)$/.test(f))).toEqual([]);
    expect(existsSync(join(bare, 'report.html'))).toBe(false);
  });

  it('shows the manifest and the label statistics', async () => {
    const { page } = await open(run);
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { trials: unknown[]; skewbench: { version: string } };
    expect(await page.locator('#trials-table tbody tr').count()).toBe(manifest.trials.length);
    // every trial's data fingerprint, as the manifest has it
    const fingerprints = (manifest.trials as Array<{ dataFingerprint: string }>).map((t) => t.dataFingerprint);
    expect(fingerprints.every((f) => typeof f === 'string' && f.length > 0)).toBe(true);
    const col = await page.$$eval('#trials-table thead th', (ths) => ths.findIndex((th) => th.textContent === 'data fingerprint'));
    expect(col).toBeGreaterThan(0);
    expect(await page.$$eval('#trials-table tbody tr', (rows, c) => rows.map((r) => (r as HTMLTableRowElement).cells[c].textContent), col)).toEqual(fingerprints);
    expect(await page.locator('#manifest + dl').textContent()).toContain(manifest.skewbench.version);
    expect(await page.locator('#label-stats-1 tbody tr').count()).toBeGreaterThan(0);
    await page.close();
  });
});
