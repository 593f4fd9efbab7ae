import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { perLabelFileOf } from './compare.js';
import { parseTrialsCsv, RESULT_FILES } from './results.js';
import { readText } from './csv.js';

/** The data fingerprint of each (dataset, skew, seed) of a run, from the trials.csv beside its per_label.csv. */
function fingerprintsOf(path: string): Map<string, string> {
  const trialsFile = join(dirname(perLabelFileOf(path)), RESULT_FILES.trials);
  const out = new Map<string, string>();
  if (!existsSync(trialsFile)) return out;
  for (const r of parseTrialsCsv(readText(trialsFile, 'the trials table'), trialsFile)) {
    if (r.dataFingerprint !== null) out.set(JSON.stringify([r.dataset, r.skew, r.seed]), r.dataFingerprint);
  }
  return out;
}

/**
 * Refuses to gate two runs whose shared (dataset, skew, seed) trained on different data: the
 * "regressions" would be the data's. Runs written before fingerprints existed are not checked.
 */
export function checkSameData(baselinePath: string, currentPath: string): void {
  const baseline = fingerprintsOf(baselinePath);
  const current = fingerprintsOf(currentPath);
  for (const [key, fingerprint] of baseline) {
    const other = current.get(key);
    if (other === undefined || other === fingerprint) continue;
    const [dataset, skew, seed] = JSON.parse(key) as [string, string, number];
    throw new InputError(
      `${baselinePath} and ${currentPath} ran on different data (${dataset} ${skew} seed ${seed}: ${fingerprint} vs ${other}); compare runs on the same data, or pass --allow-data-change`,
    );
  }
}
