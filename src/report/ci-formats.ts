import type { Interval } from '../eval/seed-stats.js';
import type { Comparison, GateRow as CompareRow } from './compare.js';
import { levelText, signed } from './format.js';

/*
 * The regression gate for CI systems: JUnit XML (one test case per compared label, a failure with
 * the numbers for a regression, skipped for a label the gate could not decide) and GitHub Actions
 * workflow commands (an annotation per regression or undecided label, a notice with the verdict).
 * Both format a plain list of rows that each carry a verdict, so they do not depend on how the
 * gate reached it.
 */

export const CI_FORMATS = ['junit', 'github'] as const;
export type CiFormat = (typeof CI_FORMATS)[number];

/** The gate's verdict on one compared row. */
export type RowVerdict = 'regression' | 'no regression' | 'inconclusive';

export interface GateRow {
  dataset: string;
  skew: string;
  method: string;
  label: string;
  group: string;
  verdict: RowVerdict;
  baselineMean: number;
  currentMean: number;
  delta: number;
  interval: Interval | null;
  /** How the interval was obtained, in words (e.g. "paired, 5 seeds"). */
  test: string;
  /** Why the gate decided so, when it says (e.g. the reason a row is inconclusive). */
  reason?: string;
}

export interface GateReport {
  /** The metric's name as people read it, e.g. "F1". */
  metric: string;
  maxDrop: number;
  level: number;
  baselineFile: string;
  currentFile: string;
  rows: GateRow[];
}

function metricText(metric: string): string {
  return metric === 'f1' ? 'F1' : metric === 'f1_tuned' ? 'tuned F1' : metric === 'ap' ? 'AP' : metric;
}

function testText(row: CompareRow): string {
  if (row.pairedSeeds.length === 0) return `${row.baseline.seeds.length} vs ${row.current.seeds.length} seeds, none shared`;
  return `paired, ${row.pairedSeeds.length} seed${row.pairedSeeds.length === 1 ? '' : 's'}`;
}

/** Why the gate could not decide a row, in words. */
function inconclusiveReason(row: CompareRow, level: number): string {
  if (row.degenerate) return `${row.degenerate}`;
  return `the ${levelText(level)} interval does not rule out a drop larger than ${row.maxDrop}`;
}

/** The comparison as the plain rows the CI formats take: each row with the gate's own verdict. */
export function gateReport(c: Comparison): GateReport {
  return {
    metric: metricText(c.options.metric),
    maxDrop: c.options.maxDropLabel,
    level: c.options.level,
    baselineFile: c.baselineFile,
    currentFile: c.currentFile,
    rows: c.rows.map((row) => ({
      dataset: row.dataset,
      skew: row.skew,
      method: row.method,
      label: row.label,
      group: row.group ?? row.family,
      verdict: row.verdict,
      baselineMean: row.baseline.mean,
      currentMean: row.current.mean,
      delta: row.delta ?? 0,
      interval: row.interval,
      test: testText(row),
      reason: row.verdict === 'inconclusive' ? inconclusiveReason(row, c.options.level) : undefined,
    })),
  };
}

function fixed(x: number): string {
  return x.toFixed(3);
}

/** "F1 0.430 → 0.230 (Δ -0.200, 95 % interval [-0.200, -0.200], paired, 2 seeds)" */
export function rowNumbers(r: GateRow, report: GateReport): string {
  const interval = r.interval ? `${levelText(report.level)} interval [${signed(r.interval.low)}, ${signed(r.interval.high)}]` : 'no interval';
  return `${report.metric} ${fixed(r.baselineMean)} → ${fixed(r.currentMean)} (Δ ${signed(r.delta)}, ${interval}, ${r.test}; tolerated drop ${report.maxDrop})`;
}

function xmlAttr(text: string | number): string {
  // XML 1.0 admits no control characters but tab, newline and carriage return.
  return String(text).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

function xmlText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * JUnit XML as Jenkins, GitLab and the GitHub test-report actions read it: one <testsuite> per
 * dataset · skew, one <testcase> per label (classname: the method), <failure> for a regression,
 * <skipped> for an inconclusive row. Times are 0: the gate measures no durations.
 */
export function formatJunit(report: GateReport): string {
  const suites = new Map<string, GateRow[]>();
  for (const r of report.rows) {
    const name = `${r.dataset} · ${r.skew}`;
    const list = suites.get(name) ?? [];
    list.push(r);
    suites.set(name, list);
  }
  const count = (rows: readonly GateRow[], v: RowVerdict) => rows.filter((r) => r.verdict === v).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`skewbench compare (${report.metric})`)}" tests="${report.rows.length}" failures="${count(report.rows, 'regression')}" errors="0" skipped="${count(report.rows, 'inconclusive')}" time="0">`,
  ];
  let id = 0;
  for (const [name, rows] of suites) {
    lines.push(
      `  <testsuite name="${xmlAttr(`${name} · ${report.metric}`)}" id="${id++}" tests="${rows.length}" failures="${count(rows, 'regression')}" errors="0" skipped="${count(rows, 'inconclusive')}" time="0">`,
      '    <properties>',
      `      <property name="baseline" value="${xmlAttr(report.baselineFile)}"/>`,
      `      <property name="current" value="${xmlAttr(report.currentFile)}"/>`,
      `      <property name="max-drop" value="${report.maxDrop}"/>`,
      `      <property name="level" value="${report.level}"/>`,
      '    </properties>',
    );
    for (const r of rows) {
      const open = `    <testcase classname="${xmlAttr(`skewbench.${r.dataset}.${r.skew}.${r.method}`)}" name="${xmlAttr(`${r.label} (${r.group})`)}" time="0"`;
      const numbers = rowNumbers(r, report);
      if (r.verdict === 'regression') {
        lines.push(
          `${open}>`,
          `      <failure type="regression" message="${xmlAttr(`${report.metric} of ${r.label} dropped by ${fixed(-r.delta)}: ${numbers}`)}">${xmlText(`${r.method} · ${r.label} (${r.group}) on ${r.dataset} ${r.skew}\n${numbers}${r.reason ? `\n${r.reason}` : ''}`)}</failure>`,
          '    </testcase>',
        );
      } else if (r.verdict === 'inconclusive') {
        lines.push(`${open}>`, `      <skipped message="${xmlAttr(`inconclusive: ${r.reason ?? 'the gate could not decide'}; ${numbers}`)}"/>`, '    </testcase>');
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

/** Workflow-command data: %, CR and LF are escaped (github.com/actions/toolkit, command.ts). */
function ghData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command properties also escape ':' and ','. */
function ghProperty(text: string): string {
  return ghData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions workflow commands: `::error` per regression and `::warning` per inconclusive row,
 * each annotating the current run's per-label file, then one `::notice` with the verdict.
 */
export function formatGithub(report: GateReport): string {
  const lines: string[] = [];
  for (const r of report.rows) {
    if (r.verdict === 'no regression') continue;
    const kind = r.verdict === 'regression' ? 'error' : 'warning';
    const title = `${r.verdict === 'regression' ? 'regression' : 'inconclusive'}: ${r.method} · ${r.label}`;
    const message = `${r.label} (${r.group}) of ${r.method} on ${r.dataset} ${r.skew}: ${rowNumbers(r, report)}${r.reason ? `. ${r.reason}` : ''}`;
    lines.push(`::${kind} file=${ghProperty(report.currentFile)},title=${ghProperty(title)}::${ghData(message)}`);
  }
  const regressions = report.rows.filter((r) => r.verdict === 'regression').length;
  const inconclusive = report.rows.filter((r) => r.verdict === 'inconclusive').length;
  const verdict = regressions > 0 ? `regression: ${regressions} of ${report.rows.length} labels dropped in ${report.metric}` : `no regression in ${report.rows.length} labels (${report.metric})`;
  lines.push(`::notice title=${ghProperty('skewbench compare')}::${ghData(`${verdict}${inconclusive > 0 ? `; ${inconclusive} inconclusive` : ''}; baseline ${report.baselineFile}, current ${report.currentFile}`)}`);
  return lines.join('\n');
}

export function formatCi(c: Comparison, format: CiFormat): string {
  const report = gateReport(c);
  return format === 'junit' ? formatJunit(report) : formatGithub(report);
}
