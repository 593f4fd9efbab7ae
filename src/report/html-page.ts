import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { PACKAGE_ROOT } from './manifest.js';

/*
 * The shell shared by report.html and history.html: one self-contained page (no network) with
 * Vega, Vega-Lite and vega-embed inlined from the installed packages, sortable tables and a
 * group filter. Pure apart from reading the three library files once.
 */

/** The browser builds the page loads, in load order (vega-lite and vega-embed need vega). */
const LIBRARIES: ReadonlyArray<[pkg: string, file: string]> = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
];

/** A file inside an installed package, found the way Node resolves packages (walking up node_modules). */
function packageFile(pkg: string, file: string, root = PACKAGE_ROOT): string {
  let dir = resolve(root);
  for (;;) {
    const path = join(dir, 'node_modules', pkg, file);
    if (existsSync(path)) return path;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`the browser build of ${pkg} (${file}) is not installed; run npm install`);
    dir = parent;
  }
}

let libraryCode: string | undefined;

/** The three libraries' code, each closed so that no `</script>` inside can end the element early. */
export function inlinedLibraries(): string {
  libraryCode ??= LIBRARIES.map(([pkg, file]) => `<script>${scriptSafe(readFileSync(packageFile(pkg, file), 'utf8'))}</script>`).join('\n');
  return libraryCode;
}

/** Text as HTML character data or an attribute value. */
export function esc(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Code or JSON inside a <script> element: `</script` and `<!--` would end or confuse it. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** One table cell: its text, and the value it sorts by (a number sorts numerically; null sorts last). */
export interface Cell {
  text: string;
  sort?: number | string | null;
  /** A class for the cell, e.g. `num` (right-aligned) or `bad`. */
  cls?: string;
  /** Hover text. */
  title?: string;
}

export interface HtmlTable {
  id: string;
  caption?: string;
  head: string[];
  /** Columns whose cells are numbers (right-aligned). */
  numeric?: readonly number[];
  rows: Array<{ cells: Array<Cell | string>; group?: string; cls?: string }>;
  /** Offer the head / medium / tail filter over the rows' `group`. */
  groupFilter?: boolean;
}

function cellOf(c: Cell | string): Cell {
  return typeof c === 'string' ? { text: c } : c;
}

/** A table the page script makes sortable (click a header) and, with `groupFilter`, filterable. */
export function htmlTable(t: HtmlTable): string {
  const numeric = new Set(t.numeric ?? []);
  const filter = t.groupFilter
    ? `<label class="filter">label group <select data-filter-for="${esc(t.id)}"><option value="">all</option><option>head</option><option>medium</option><option>tail</option></select></label> <span class="count" data-count-for="${esc(t.id)}"></span>`
    : '';
  const head = t.head.map((h, i) => `<th data-col="${i}"${numeric.has(i) ? ' class="num"' : ''} title="sort by ${esc(h)}">${esc(h)}</th>`).join('');
  const rows = t.rows
    .map((r) => {
      const cells = r.cells
        .map((raw, i) => {
          const c = cellOf(raw);
          const cls = [numeric.has(i) ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
          const sort = c.sort === undefined ? '' : ` data-sort="${c.sort === null ? '' : esc(c.sort)}"`;
          return `<td${cls ? ` class="${cls}"` : ''}${sort}${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.text)}</td>`;
        })
        .join('');
      const attrs = `${r.group ? ` data-group="${esc(r.group)}"` : ''}${r.cls ? ` class="${esc(r.cls)}"` : ''}`;
      return `<tr${attrs}>${cells}</tr>`;
    })
    .join('\n');
  return `${filter}<div class="scroll"><table class="sortable" id="${esc(t.id)}">${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

export interface PageChart {
  id: string;
  spec: TopLevelSpec;
}

export interface Page {
  title: string;
  /** HTML of the page's sections (already escaped). */
  body: string;
  /** Charts; each is drawn into the element with its id. */
  charts: readonly PageChart[];
}

const STYLE = `
body { font: 14px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 auto; padding: 16px 24px 48px; max-width: 1400px; color: #222; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
nav a { margin-right: 14px; } .meta { color: #555; }
.scroll { overflow-x: auto; max-height: 640px; overflow-y: auto; border: 1px solid #e3e3e3; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
caption { text-align: left; color: #555; padding: 4px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; white-space: nowrap; text-align: left; }
th { position: sticky; top: 0; background: #f6f6f6; cursor: pointer; user-select: none; }
th.sorted-asc::after { content: " ▲"; } th.sorted-desc::after { content: " ▼"; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #b00020; font-weight: bold; } .good { color: #11703a; } .muted { color: #888; }
tr.step td { background: #fff4e0; }
.filter { margin: 6px 0; display: inline-block; } .count { color: #555; }
.chart { margin: 8px 0 20px; overflow-x: auto; }
pre { background: #f6f6f6; padding: 8px; overflow: auto; max-height: 420px; font-size: 12px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; } dl.kv dt { color: #555; } dl.kv dd { margin: 0; }
#vg-tooltip-element { font-size: 12px; }
`;

/**
 * Sorting: a click on a header sorts by that column (again: the other way), numbers by value with
 * empty cells last. Filtering: the group select hides rows of the other groups and says how many show.
 */
const SCRIPT = `
(function () {
  function key(td) {
    var s = td.hasAttribute('data-sort') ? td.getAttribute('data-sort') : td.textContent;
    if (s === '') return null;
    var n = Number(s);
    return isNaN(n) ? s : n;
  }
  function compare(a, b) {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a) < String(b) ? -1 : 1;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var ths = table.querySelectorAll('thead th');
    ths.forEach(function (th) {
      th.addEventListener('click', function () {
        var col = Number(th.getAttribute('data-col'));
        var asc = !th.classList.contains('sorted-asc');
        ths.forEach(function (h) { h.classList.remove('sorted-asc', 'sorted-desc'); });
        th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.forEach(function (r, i) { r._i = i; });
        rows.sort(function (a, b) {
          var ka = key(a.cells[col]), kb = key(b.cells[col]);
          if (ka === null || kb === null) return compare(ka, kb) || a._i - b._i;
          return (asc ? compare(ka, kb) : compare(kb, ka)) || a._i - b._i;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  function count(id) {
    var table = document.getElementById(id), out = document.querySelector('[data-count-for="' + id + '"]');
    if (!table || !out) return;
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) if (!rows[i].hidden) shown++;
    out.textContent = shown + ' of ' + rows.length + ' rows';
  }
  document.querySelectorAll('select[data-filter-for]').forEach(function (select) {
    var id = select.getAttribute('data-filter-for');
    select.addEventListener('change', function () {
      var table = document.getElementById(id);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = select.value !== '' && r.getAttribute('data-group') !== select.value;
      });
      count(id);
    });
    count(id);
  });
  var charts = JSON.parse(document.getElementById('chart-specs').textContent);
  var pending = charts.map(function (c) {
    return vegaEmbed('#' + c.id, c.spec, { renderer: 'svg', actions: false }).catch(function (err) {
      document.getElementById(c.id).textContent = 'chart failed: ' + err.message;
      console.error(err);
    });
  });
  Promise.all(pending).then(function () { document.body.setAttribute('data-charts', 'rendered'); });
})();
`;

/** The whole page as one string. */
export function htmlPage(page: Page): string {
  const charts = page.charts.map((c) => ({ id: c.id, spec: c.spec }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>${STYLE}</style>
${inlinedLibraries()}
</head>
<body>
${page.body}
<script type="application/json" id="chart-specs">${scriptSafe(JSON.stringify(charts))}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
