import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../fs-atomic.js';
import type { Aggregate } from './aggregate.js';
import { deltaSpec, perLabelF1Spec } from './chart-specs.js';

/*
 * Renders the result charts headlessly: Vega-Lite → Vega → SVG string (vega's own SVG writer, no
 * canvas), then PNG through sharp. Same spec, same bytes.
 */

/** The charts of a results folder; each is written as <name>.svg and <name>.png. */
export const CHART_FILES = {
  perLabelF1: 'per_label_f1',
  delta: 'delta',
} as const;

/** PNG pixels per SVG unit: twice the SVG size keeps 9-pixel label names legible. */
export const PNG_SCALE = 2;

/**
 * vega names clip paths and gradients from process-wide counters, so the same chart rendered second
 * would get other ids; renumbering them in order of appearance makes the SVG a function of the spec.
 */
export function renumberSvgIds(svg: string): string {
  const ids = new Map<string, string>();
  const rename = (id: string): string => {
    const kind = id.startsWith('clip') ? 'clip' : 'gradient_';
    let renamed = ids.get(id);
    if (renamed === undefined) ids.set(id, (renamed = `${kind}${[...ids.keys()].filter((k) => k.startsWith(kind)).length + 1}`));
    return renamed;
  };
  return svg.replace(/(id="|url\(#)(clip\d+|gradient_\d+)(?=[")])/g, (_, prefix: string, id: string) => prefix + rename(id));
}

/** The SVG of a Vega-Lite spec. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega alone adds a few hundred milliseconds to the start of every command.
  const [{ logger, None, parse: parseVega, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  // Vega-Lite's warnings are about spec style (e.g. merged legends); they would only clutter a run's output.
  const vegaSpec = compile(spec, { logger: logger(None) }).spec;
  const view = new View(parseVega(vegaSpec), { renderer: 'none', logLevel: None });
  try {
    return renumberSvgIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Width and height of an SVG's root element, from its attributes. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const attr = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(root)?.[1]);
  const width = attr('width');
  const height = attr('height');
  if (!(width > 0) || !(height > 0)) throw new RangeError('the SVG has no width and height on its root element');
  return { width, height };
}

/** The SVG drawn as a PNG at `scale` pixels per SVG unit. */
export async function svgToPng(svg: string, scale = PNG_SCALE): Promise<Buffer> {
  const { width, height } = svgSize(svg);
  const { default: sharp } = await import('sharp');
  // librsvg draws at 72 dpi per SVG unit; the explicit resize pins the size against rounding.
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .resize(Math.round(width * scale), Math.round(height * scale), { fit: 'fill' })
    .png({ compressionLevel: 9, adaptiveFiltering: false })
    .toBuffer();
}

export interface RenderedChart {
  name: string;
  spec: TopLevelSpec;
  svg: string;
  png: Buffer;
}

/** Both charts of an aggregate, rendered. */
export async function renderCharts(agg: Aggregate): Promise<RenderedChart[]> {
  const specs: Array<[string, TopLevelSpec]> = [
    [CHART_FILES.perLabelF1, perLabelF1Spec(agg)],
    [CHART_FILES.delta, deltaSpec(agg)],
  ];
  const charts: RenderedChart[] = [];
  for (const [name, spec] of specs) {
    const svg = await renderSvg(spec);
    charts.push({ name, spec, svg, png: await svgToPng(svg) });
  }
  return charts;
}

/**
 * Writes per_label_f1.svg/.png and delta.svg/.png into `dir` and returns their paths. Every chart is
 * rendered before the first file is written, and each file is written atomically, so a failed
 * render leaves the folder as it was.
 */
export async function writeCharts(dir: string, agg: Aggregate): Promise<string[]> {
  const charts = await renderCharts(agg);
  const files: string[] = [];
  for (const chart of charts) {
    for (const [ext, data] of [
      ['svg', chart.svg],
      ['png', chart.png],
    ] as const) {
      const path = join(dir, `${chart.name}.${ext}`);
      writeFileAtomic(path, data);
      files.push(path);
    }
  }
  return files;
}
