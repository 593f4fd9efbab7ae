import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { cacheDir } from './cache.js';
import { readLabelsCsv } from './labels-csv.js';

/*
 * A fingerprint names the data a trial trains and is tested on: the SHA-256 of the source's
 * content and resolved options, plus the skew and seed that draw the splits from it (the draw is
 * deterministic). Two trials with one fingerprint saw the same images and labels; resume, merge
 * and compare key on it.
 */

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The fingerprint of one trial's data: its source's fingerprint, skew and seed. */
export function trialDataFingerprint(source: string, skew: string, seed: number): string {
  return sha256(JSON.stringify({ source, skew, seed })).slice(0, 16);
}

/** A source that is a pure function of its options and of installed packages (embedded, procedural). */
export function optionsFingerprint(name: string, options: unknown, packages: Record<string, string> = {}): string {
  return sha256(JSON.stringify({ name, options, packages }));
}

interface HashCache {
  [file: string]: { size: number; mtimeMs: number; sha256: string };
}

/**
 * A folder's fingerprint: the labels file's bytes and every listed image's bytes, with the options
 * that change how they are read (paths left out, so a moved folder keeps its fingerprint).
 */
export function folderFingerprint(options: { dir: string; labels?: string; sep?: string } & Record<string, unknown>): string {
  const dir = resolve(options.dir);
  const csv = options.labels ? resolve(options.labels) : join(dir, 'labels.csv');
  const labelsBytes = readFileSync(csv);
  const ids = readLabelsCsv(csv, { sep: options.sep }).ids ?? [];
  const images = folderImageHashes(dir, ids);
  const { dir: _dir, labels: _labels, ...rest } = options;
  return sha256(JSON.stringify({ name: 'folder', options: rest, labels: sha256(labelsBytes), images }));
}

/**
 * [id, SHA-256 of the file's bytes] of every image, in order. The hashes are cached by path, size and
 * modification time under the cache folder, so an unchanged folder is read in full only once.
 */
export function folderImageHashes(dir: string, ids: readonly string[]): Array<[string, string]> {
  const cacheFile = join(cacheDir(), 'folder-hashes', `${sha256(dir).slice(0, 16)}.json`);
  let cache: HashCache = {};
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as HashCache;
  } catch {
    // no cache yet, or a torn one: hash everything
  }
  const next: HashCache = {};
  let changed = false;
  const images = ids.map((id): [string, string] => {
    const file = join(dir, id);
    const st = statSync(file);
    const hit = cache[id];
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      next[id] = hit;
      return [id, hit.sha256];
    }
    changed = true;
    next[id] = { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256(readFileSync(file)) };
    return [id, next[id].sha256];
  });
  if (changed || Object.keys(cache).length !== ids.length) {
    try {
      mkdirSync(join(cacheDir(), 'folder-hashes'), { recursive: true });
      writeFileAtomic(cacheFile, JSON.stringify(next));
    } catch {
      // a read-only cache only costs the next run a full read
    }
  }
  return images;
}
