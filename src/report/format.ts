import type TableType from 'cli-table3';
import { requireModule } from '../require.js';

const Table = requireModule('cli-table3') as typeof TableType;

/** A fixed-precision number for tables; null/undefined print as an em dash. */
export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return x.toFixed(digits);
}

/** A difference with its sign; one that rounds to zero is "±0.000", neither gain nor loss; none is an em dash. */
export function signed(x: number | null | undefined, digits = 3): string {
  const text = num(x === null || x === undefined ? x : Math.abs(x), digits);
  if (text === '—') return text;
  if (Number(text) === 0) return `±${text}`;
  return (x! > 0 ? '+' : '-') + text;
}

/** A confidence level as a percentage, e.g. 0.975 → "97.5 %". */
export function levelText(level: number): string {
  return `${Math.round(level * 1000) / 10} %`;
}

/** A plain cli-table3 table with right-aligned numeric columns (every column but the first). */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const color = useColor();
  const t = new Table({
    head,
    colAligns: head.map((_, c) => (c === 0 ? 'left' : 'right')),
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}
