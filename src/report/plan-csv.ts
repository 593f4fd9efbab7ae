import type * as CsvStringify from 'csv-stringify/sync';
import { requireModule } from '../require.js';

const { stringify } = requireModule('csv-stringify/sync') as typeof CsvStringify;
import type { OversamplingPlan } from '../labels/oversample.js';

/** `index,id,copies` for every image with copies, so other pipelines can apply the plan themselves. */
export function planCsv(plan: OversamplingPlan, ids: readonly string[] | undefined): string {
  const rows: Array<[number, string, number]> = [];
  plan.copies.forEach((c, i) => {
    if (c > 0) rows.push([i, ids ? ids[i] : String(i), c]);
  });
  return stringify(rows, { header: true, columns: ['index', 'id', 'copies'] });
}
