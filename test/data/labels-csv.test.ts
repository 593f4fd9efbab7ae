import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readLabelsCsv, parseLabelsCsv, parseLabelsTable } from '../../src/data/labels-csv.js';
import { InputError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'skewbench-csv-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('readLabelsCsv', () => {
  it('reads the list format, with a custom separator and empty label cells', () => {
    const m = parseLabelsCsv('id,labels\na.png,dog|cat\nb.png,cat\nc.png,\n', 'x.csv');
    expect(m.labels).toEqual(['cat', 'dog']);
    expect(m.ids).toEqual(['a.png', 'b.png', 'c.png']);
    expect(m.labelsOf(0)).toEqual([0, 1]);
    expect(m.labelsOf(2)).toEqual([]);
    const t = parseLabelsCsv('file,width,Tags\n1,3,"a; b"\n2,4,b\n', 'x.csv', { sep: ';' });
    expect(t.labels).toEqual(['a', 'b']);
    expect(Array.from(t.counts())).toEqual([1, 2]);
  });

  it('reads the one-hot format, keeping column order and labels with no images', () => {
    const m = parseLabelsCsv('id,zebra,ant,rare\n1,1,0,0\n2,1,1,0\n', 'x.csv');
    expect(m.labels).toEqual(['zebra', 'ant', 'rare']);
    expect(Array.from(m.counts())).toEqual([2, 1, 0]);
  });

  it('reads a split column (any case, in either format) as each row\'s split, never as a label', () => {
    const oneHot = parseLabelsTable('id,cat,Split,dog\na,1,train,0\nb,0,VAL,1\nc,1,Test,1\n', 'x.csv');
    expect(oneHot.labels.labels).toEqual(['cat', 'dog']);
    expect(Array.from(oneHot.labels.counts())).toEqual([2, 2]);
    expect(oneHot.splits).toEqual(['train', 'val', 'test']);
    const list = parseLabelsTable('file,split,labels\na,test,x|y\nb,train,y\n', 'x.csv');
    expect(list.labels.labels).toEqual(['x', 'y']);
    expect(list.splits).toEqual(['test', 'train']);
    expect(parseLabelsCsv('id,cat,split\na,1,train\n', 'x.csv').labels).toEqual(['cat']);
    expect(parseLabelsTable('id,labels\na,x\n', 'x.csv').splits).toBeUndefined();
    const bad = errorOf(() => parseLabelsTable('id,labels,split\na,x,train\nb,y,validation\n', 'x.csv'));
    expect(bad.message).toBe('x.csv:3: split "validation" is not one of train, val, test (any case)');
  });

  it('reads the bundled sample from disk', () => {
    const m = readLabelsCsv('test/fixtures/sample-labels.csv');
    expect(m.rows).toBe(400);
    expect(m.numLabels).toBe(10);
  });

  it('names the file and line of every problem', () => {
    expect(errorOf(() => readLabelsCsv(file('empty.csv', ''))).message).toMatch(/empty\.csv: empty file/);
    expect(errorOf(() => readLabelsCsv(file('nohead.csv', 'a,1,0\nb,0,1\n'))).message).toMatch(/nohead\.csv:1: no header row/);
    expect(errorOf(() => readLabelsCsv(file('quote.csv', 'id,labels\na,"cat\nb,dog\n'))).message).toMatch(/quote\.csv:2: unterminated quote/);
    expect(errorOf(() => readLabelsCsv(file('cell.csv', 'id,a,b\nx,1,0\ny,1,yes\n'))).message).toMatch(/cell\.csv:3: column "b" holds "yes"; expected 0 or 1/);
    expect(errorOf(() => readLabelsCsv(file('dup.csv', 'id,labels\nx,a\ny,b\nx,c\n'))).message).toMatch(/dup\.csv:4: duplicate image id "x" \(first on line 2\)/);
    expect(errorOf(() => readLabelsCsv(file('cols.csv', 'id,a,b\nx,1,0,1\n'))).message).toMatch(/cols\.csv:2: wrong number of columns/);
    expect(errorOf(() => readLabelsCsv(join(dir, 'missing.csv'))).message).toMatch(/missing\.csv: cannot read file \(ENOENT\)/);
    for (const e of [errorOf(() => readLabelsCsv(file('e2.csv', 'id,a\nx,2\n')))]) {
      expect(e.exitCode).toBe(2);
      expect(e.message).not.toMatch(/\n/);
    }
  });
});
