import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { InputError } from '../errors.js';
import { checkRecord, type TrialRecord } from '../records/records.js';

/** Finished trials of a run in progress, one file each, under `<out>/.trials/`. */
export const JOURNAL_DIR = '.trials';

/** JSON that keeps NaN and ±Infinity (a diverged loss is part of a failed trial's record). */
export function encodeRecord(record: TrialRecord): string {
  return JSON.stringify(record, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value));
}

export function decodeRecord(text: string): TrialRecord {
  return JSON.parse(text, (_key, value) =>
    value !== null && typeof value === 'object' && typeof value.$number === 'string' && Object.keys(value).length === 1 ? Number(value.$number) : value,
  ) as TrialRecord;
}

/**
 * Every finished trial is written here at once, atomically, so a run that is killed keeps them and
 * `--resume` skips them; a trial that was cut short has no file and runs again.
 */
export class Journal {
  readonly dir: string;
  constructor(out: string) {
    this.dir = join(out, JOURNAL_DIR);
  }

  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  add(record: TrialRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(join(this.dir, `${record.trial}.json`), encodeRecord(record));
  }

  /** The finished trials by id; files that are not whole records (a temporary file, a torn write) are ignored. */
  load(): Map<string, TrialRecord> {
    const out = new Map<string, TrialRecord>();
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return out;
    }
    for (const name of names.filter((n) => /^[0-9a-f]+\.json$/.test(n)).sort()) {
      try {
        const record = decodeRecord(readFileSync(join(this.dir, name), 'utf8'));
        if (record.trial !== name.slice(0, -5)) continue;
        // A whole record that breaks its invariants was edited: say so now, not after the run.
        try {
          checkRecord(record);
        } catch (err) {
          throw new InputError(`${join(this.dir, name)}: not a record this run can keep (${(err as Error).message}); delete it to run that trial again`);
        }
        out.set(record.trial, record);
      } catch (err) {
        if (err instanceof InputError) throw err;
        // not a whole record: the trial runs again
      }
    }
    return out;
  }
}
