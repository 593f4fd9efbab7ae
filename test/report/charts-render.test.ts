import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { deltaSpec } from '../../src/report/chart-specs.js';
import { CHART_FILES, PNG_SCALE, renderCharts, renderSvg, renumberSvgIds, svgSize, svgToPng, writeCharts, type RenderedChart } from '../../src/report/charts.js';
import { chartRecords, SKEW_A, SKEW_B } from './charts-fixtures.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('rendered charts', () => {
  const agg = aggregate(chartRecords());
  let charts: RenderedChart[];
  const chart = (name: string) => charts.find((c) => c.name === name)!;

  beforeAll(async () => {
    charts = await renderCharts(agg);
  });

  it('are SVGs with titles, axis titles, legends, panel headers and label names', () => {
    expect(charts.map((c) => c.name)).toEqual([CHART_FILES.perLabelF1, CHART_FILES.delta]);
    const perLabel = chart(CHART_FILES.perLabelF1).svg;
    expect(perLabel.startsWith('<svg')).toBe(true);
    for (const text of ['Per-label F1 against training images', 'training images (log scale)', 'test F1 (mean over seeds)', 'label group', `shapes · ${SKEW_A}`, `shapes · ${SKEW_B}`, '>dog, fox<', '>eel<']) {
      expect(perLabel, text).toContain(text);
    }
    // every point carries its label in its accessible description, the static form of the tooltip
    expect(perLabel).toMatch(/aria-label="[^"]*label: eel;/);
    const delta = chart(CHART_FILES.delta).svg;
    for (const text of ['Paired Δ against baseline', 'Δ macro-F1', 'Δ tail-F1', 'weighted', '>skew<', SKEW_B]) expect(delta, text).toContain(text);
  });

  it('render to the same bytes every time, even when renders overlap', async () => {
    const again = await Promise.all([renderCharts(agg), renderCharts(agg)]);
    for (const run of again) {
      run.forEach((c, k) => {
        expect(c.svg === charts[k].svg, c.name).toBe(true);
        expect(c.png.equals(charts[k].png), c.name).toBe(true);
      });
    }
  });

  it('have PNGs with a PNG signature at twice the SVG size', async () => {
    for (const c of charts) {
      expect(c.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const { width, height } = svgSize(c.svg);
      const meta = await sharp(c.png).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([Math.round(width * PNG_SCALE), Math.round(height * PNG_SCALE)]);
    }
  });

  it('keep their size when only the numbers change', async () => {
    const shifted = chartRecords().map((r) => ({ ...r, perLabel: r.perLabel.map((m) => ({ ...m, f1: m.f1 / 2 })) }));
    const svg = await renderSvg(deltaSpec(aggregate(shifted)));
    expect(svgSize(svg)).toEqual(svgSize(chart(CHART_FILES.delta).svg));
  });

  it('are written next to the CSVs, atomically (no temporary file left)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-charts-'));
    const files = await writeCharts(dir, agg);
    expect(files).toEqual(['per_label_f1.svg', 'per_label_f1.png', 'delta.svg', 'delta.png'].map((f) => join(dir, f)));
    expect(readdirSync(dir).sort()).toEqual(['delta.png', 'delta.svg', 'per_label_f1.png', 'per_label_f1.svg']);
    expect(readFileSync(files[0], 'utf8')).toBe(chart(CHART_FILES.perLabelF1).svg);
    expect(readFileSync(files[3]).equals(chart(CHART_FILES.delta).png)).toBe(true);
  });
});

describe('renumberSvgIds', () => {
  it('numbers clip paths and gradients in order of appearance, references included', () => {
    const svg = '<g clip-path="url(#clip7)"><path fill="url(#gradient_4)"/></g><g clip-path="url(#clip3)"/><defs><clipPath id="clip7"/><clipPath id="clip3"/><linearGradient id="gradient_4"/></defs><text>clip7</text>';
    expect(renumberSvgIds(svg)).toBe(
      '<g clip-path="url(#clip1)"><path fill="url(#gradient_1)"/></g><g clip-path="url(#clip2)"/><defs><clipPath id="clip1"/><clipPath id="clip2"/><linearGradient id="gradient_1"/></defs><text>clip7</text>',
    );
  });
});

describe('svgToPng', () => {
  it('draws the SVG at the given scale', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="#ff0000"/></svg>';
    const png = await svgToPng(svg, 3);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([90, 60]);
    expect([...data.subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it('refuses an SVG without a size', async () => {
    await expect(svgToPng('<svg xmlns="http://www.w3.org/2000/svg"></svg>')).rejects.toThrow(/width and height/);
  });
});
