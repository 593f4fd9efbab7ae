import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { canonicalJson } from './grid.js';
import { readManifest } from '../report/manifest.js';
import { PREDICTIONS_DIR } from '../report/predictions.js';
import { SAVED_MODELS_DIR, savedModelFiles } from '../records/saved-models.js';
import type { TrialRecord } from '../records/records.js';
import { readResults, verifyResultsFolder, writeResults, type WrittenResults } from '../report/results.js';
import { writeCharts } from '../report/charts.js';
import { writeHtmlReport } from '../report/html.js';
import { aggregate } from '../report/aggregate.js';

/** What a trial computed, without how long it took: two runs of one trial agree on this. */
function outcome(record: TrialRecord): string {
  const { timings: _t, imagesPerSecond: _ips, ...rest } = record;
  return canonicalJson(rest);
}

/**
 * The records of several result folders as one list. A trial found twice with the same numbers is
 * kept once; with different numbers it is an error naming the trial and both folders.
 */
export function mergeRecords(sources: ReadonlyArray<{ dir: string; records: readonly TrialRecord[] }>): TrialRecord[] {
  const seen = new Map<string, { dir: string; record: TrialRecord }>();
  for (const { dir, records } of sources) {
    for (const record of records) {
      const first = seen.get(record.trial);
      if (!first) seen.set(record.trial, { dir, record });
      else if (first.record.dataFingerprint !== record.dataFingerprint) {
        throw new InputError(
          `trial ${record.trial} (${record.method}, ${record.skew}, seed ${record.seed}) ran on data ${first.record.dataFingerprint ?? 'unknown'} in ${first.dir} but ${record.dataFingerprint ?? 'unknown'} in ${dir}: the data changed between shards`,
        );
      } else if (outcome(first.record) !== outcome(record)) {
        throw new InputError(`trial ${record.trial} (${record.method}, ${record.skew}, seed ${record.seed}) is in ${first.dir} and ${dir} with different numbers`);
      }
    }
  }
  return [...seen.values()].map((s) => s.record).sort((a, b) => a.index - b.index);
}

export interface MergeOptions {
  /** Merge shards run from different commits (the merged manifest then records no commit). */
  allowMixedCommits?: boolean;
  /** Merge an incomplete set of shards of n (the merged folder then lacks the missing trials). */
  partial?: boolean;
}

/**
 * Combine the folders of shards (or of separate runs of one suite) into the files one run of all
 * their trials writes: trials and per-label rows merged, seed statistics recomputed, predictions
 * copied, charts drawn. Every folder must come from the same resolved spec and, unless
 * `allowMixedCommits`, from the same commit, which the merged manifest keeps.
 */
export async function mergeResults(dirs: readonly string[], out: string, options: MergeOptions = {}): Promise<WrittenResults> {
  if (dirs.length === 0) throw new InputError('merge: name at least one results folder');
  const manifests = dirs.map((dir) => ({ dir, manifest: readManifest(dir) }));
  const spec = manifests[0].manifest.spec;
  for (const { dir, manifest } of manifests.slice(1)) {
    if (canonicalJson(manifest.spec) !== canonicalJson(spec)) {
      throw new InputError(`${dir}: its suite spec differs from ${dirs[0]}'s; only shards of one suite can be merged`);
    }
  }
  const commitOf = (m: (typeof manifests)[number]): string | null => m.manifest.skewbench?.commit ?? null;
  const commits = [...new Set(manifests.map(commitOf))];
  if (commits.length > 1 && !options.allowMixedCommits) {
    const other = manifests.find((m) => commitOf(m) !== commitOf(manifests[0]))!;
    throw new InputError(
      `${other.dir}: run from commit ${commitOf(other) ?? 'unknown'}, but ${dirs[0]} from ${commitOf(manifests[0]) ?? 'unknown'}; merge shards of one commit, or pass --allow-mixed-commits`,
    );
  }
  const commit = commits.length === 1 ? commits[0] : null;
  const sources = manifests.filter((m) => m.manifest.dataSource !== undefined);
  const otherData = sources.find((m) => m.manifest.dataSource !== sources[0].manifest.dataSource);
  if (otherData) {
    throw new InputError(`${otherData.dir}: its data (source ${otherData.manifest.dataSource!.slice(0, 16)}) differs from ${sources[0].dir}'s (${sources[0].manifest.dataSource!.slice(0, 16)}): the data changed between shards`);
  }
  const dataSource = sources[0]?.manifest.dataSource ?? null;
  // A trial found twice with different numbers is named first: it says most about what went wrong.
  const records = mergeRecords(dirs.map((dir) => ({ dir, records: readResults(dir, { verify: false }) })));
  for (const dir of dirs) verifyResultsFolder(dir);
  const shards = manifests.map((m) => m.manifest.shard).filter((s): s is { index: number; count: number } => s !== undefined);
  if (shards.length > 0 && !options.partial) {
    const count = shards[0].count;
    const have = new Set(shards.filter((s) => s.count === count).map((s) => s.index));
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length > 0) {
      throw new InputError(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing (have ${[...have].sort((a, b) => a - b).join(', ')}); merge them all, or pass --partial`);
    }
  }
  // Everything that can reject the input runs before the first file is written.
  aggregate(records);
  // Only the files a folder's manifest lists are its run's: a stray file in the folder is not merged.
  const listed = new Map(manifests.map(({ dir, manifest }) => [dir, new Set(manifest.files)]));
  const predictions = new Map<string, string>();
  for (const dir of dirs) {
    const from = join(dir, PREDICTIONS_DIR);
    if (!existsSync(from)) continue;
    for (const name of readdirSync(from).filter((n) => n.endsWith('.csv'))) {
      if (!predictions.has(name) && listed.get(dir)!.has(`${PREDICTIONS_DIR}/${name}`)) predictions.set(name, join(from, name));
    }
  }
  // Saved models (run --save-models): a trial's model.json + weights.bin, from the first folder that lists them whole.
  const models = new Map<string, string>();
  for (const dir of dirs) {
    const from = join(dir, SAVED_MODELS_DIR);
    if (!existsSync(from)) continue;
    for (const trial of readdirSync(from).filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n))) {
      if (!models.has(trial) && savedModelFiles(trial).every((f) => listed.get(dir)!.has(f) && existsSync(join(dir, f)))) models.set(trial, dir);
    }
  }
  const times = manifests.map((m) => [Date.parse(m.manifest.startedAt), Date.parse(m.manifest.finishedAt)]);
  const startedAt = new Date(Math.min(...times.map((t) => t[0])));
  const finishedAt = new Date(Math.max(...times.map((t) => t[1])));
  for (const [name, path] of predictions) writeFileAtomic(join(out, PREDICTIONS_DIR, name), readFileSync(path));
  for (const [trial, dir] of models) for (const f of savedModelFiles(trial)) writeFileAtomic(join(out, f), readFileSync(join(dir, f)));
  const dataSplits = sources[0]?.manifest.data?.splits ?? null;
  const written = writeResults(out, records, { spec, startedAt, finishedAt, commit, dataSource, dataSplits, predictions: [...predictions.keys()].map((n) => n.slice(0, -4)).sort(), models: [...models.keys()].sort() });
  written.files.push(...(await writeCharts(out, written.aggregate)));
  written.files.push(writeHtmlReport(out, { aggregate: written.aggregate, records, manifest: written.manifest }));
  return written;
}
