import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, readFailure } from '../errors.js';
import type { SpecRecord, TrialRecord, TrialStatus } from '../records/records.js';

/** The name of a results folder's manifest (also `RESULT_FILES.manifest`). */
export const MANIFEST_FILE = 'manifest.json';

/*
 * manifest.json: enough to say what produced a results folder — the whole resolved spec, the code
 * (version, git commit), the installed dependency versions, the runtime and the backends — and
 * which trials ran with what outcome.
 */

export interface Manifest {
  suite: string;
  spec: SpecRecord;
  skewbench: { version: string; commit: string | null };
  /** Installed versions of the runtime dependencies; null for an optional one that is not installed. */
  dependencies: Record<string, string | null>;
  runtime: { node: string; platform: string; arch: string; cpus: number; cpuModel: string };
  /** Backends the trials trained on, with their versions. */
  backends: Array<{ backend: string; version: string }>;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  counts: { trials: number; ok: number; failed: number };
  trials: Array<{ trial: string; index: number; skew: string; method: string; seed: number; status: TrialStatus; reason: string | null; dataFingerprint: string | null }>;
  /** SHA-256 of each results table, so a reader can tell a folder whose files come from one run. */
  sha256?: Record<string, string>;
  /** Present in a shard's folder: which shard of how many. */
  shard?: { index: number; count: number };
  /** SHA-256 of the dataset source's content and options (data/fingerprint.ts). */
  dataSource?: string;
  /**
   * Data whose split is its own (a folder): per split, per label, the images it holds before any skew
   * is drawn. Under skew `natural` these are the images trained, validated and tested on; a profile
   * subsamples train (and val, test) from them per seed.
   */
  data?: { splits: DataSplits };
  /** The files of the folder, relative to it. */
  files: string[];
}

/** The package root, two levels above this file both in src/report and in dist/report. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(path: string): PackageJson | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}

/**
 * The version of `name` that Node would load from `root`: the first node_modules/<name> walking
 * up, as Node resolves it (reading package.json directly works even when a package's `exports`
 * hide it).
 */
export function installedVersion(name: string, root = PACKAGE_ROOT): string | null {
  let dir = resolve(root);
  for (;;) {
    const path = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(path)) return readPackageJson(path)?.version ?? null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The commit of the package's own checkout; null outside git, or when the package sits inside another repository. */
export function gitCommit(root = PACKAGE_ROOT): string | null {
  try {
    const [top, head] = execFileSync('git', ['rev-parse', '--show-toplevel', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
      .trim()
      .split('\n');
    return resolve(top) === resolve(root) && /^[0-9a-f]{40,64}$/.test(head) ? head : null;
  } catch {
    return null;
  }
}

/** Per split, per label name, how many images carry the label. */
export type DataSplits = Record<'train' | 'val' | 'test', Record<string, number>>;

export interface ManifestInput {
  spec: SpecRecord;
  /** In grid order. */
  records: readonly TrialRecord[];
  startedAt: Date;
  finishedAt: Date;
  files: string[];
  sha256?: Record<string, string>;
  shard?: { index: number; count: number };
  dataSource?: string | null;
  dataSplits?: DataSplits | null;
  /** Defaults to this package; tests point it elsewhere. */
  packageRoot?: string;
  /** The commit the run started from (read when it started: HEAD may move while a long suite runs); default HEAD now. */
  commit?: string | null;
}

export function buildManifest(input: ManifestInput): Manifest {
  const root = input.packageRoot ?? PACKAGE_ROOT;
  const pkg = readPackageJson(join(root, 'package.json')) ?? {};
  const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})].sort();
  const backends = new Map<string, { backend: string; version: string }>();
  for (const r of input.records) {
    if (r.backend !== '') backends.set(`${r.backend}\n${r.backendVersion}`, { backend: r.backend, version: r.backendVersion });
  }
  const cpuList = cpus();
  const ok = input.records.filter((r) => r.status === 'ok').length;
  return {
    suite: input.spec.name,
    spec: input.spec,
    skewbench: { version: pkg.version ?? 'unknown', commit: input.commit !== undefined ? input.commit : gitCommit(root) },
    dependencies: Object.fromEntries(names.map((name) => [name, installedVersion(name, root)])),
    runtime: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown' },
    backends: [...backends.values()].sort((a, b) => (a.backend + a.version < b.backend + b.version ? -1 : 1)),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    wallSeconds: (input.finishedAt.getTime() - input.startedAt.getTime()) / 1000,
    counts: { trials: input.records.length, ok, failed: input.records.length - ok },
    trials: input.records.map((r) => ({ trial: r.trial, index: r.index, skew: r.skew, method: r.method, seed: r.seed, status: r.status, reason: r.reason, dataFingerprint: r.dataFingerprint })),
    files: input.files,
    sha256: input.sha256,
    ...(input.shard ? { shard: input.shard } : {}),
    ...(input.dataSource ? { dataSource: input.dataSource } : {}),
    ...(input.dataSplits ? { data: { splits: input.dataSplits } } : {}),
  };
}

/**
 * Read a results folder's manifest.json. Only its shape is checked here (an object with a spec and a
 * trial list); a caller that reuses the spec validates it with `parseSpec`.
 */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw readFailure(path, 'the manifest', err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const manifest = json as Partial<Manifest> | null;
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) throw new InputError(`${path}: expected a JSON object`);
  if (manifest.spec === null || typeof manifest.spec !== 'object') throw new InputError(`${path}: spec: expected the suite spec object`);
  if (!Array.isArray(manifest.trials)) throw new InputError(`${path}: trials: expected a list of trials`);
  return manifest as Manifest;
}
