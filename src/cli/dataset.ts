import type { Command } from 'commander';
import { buildDataset, DATASET_NAMES, DATASETS, type Dataset, type DatasetSpec } from '../data/build.js';
import { describeDataset } from '../data/describe.js';
import { parseSkew } from '../data/skew.js';
import { InputError } from '../errors.js';
import { formatDataset } from '../report/dataset.js';
import { numberOption, warn } from './options.js';

export interface DatasetFlags {
  /** Default: natural for a folder, exponential:50 otherwise. */
  skew?: string;
  seed: string;
  option: string[];
  dir?: string;
}

/** The flags `dataset` and `preview` share: which data, which skew, which seed. */
export function addDatasetFlags(command: Command): Command {
  return command
    .argument('<name>', `dataset: ${DATASET_NAMES.join(', ')}`)
    .option('--skew <profile>', 'exponential:IF, pareto:IF[:alpha], step:FRACTION:FACTOR, uniform or natural (default: natural for a folder, else exponential:50)')
    .option('--seed <n>', 'seed for the label ranks, item choice and placement', '1')
    .option('-o, --option <key=value>', 'a dataset option, e.g. nMax=500, tileSize=28, testPerLabel=50 (repeatable)', collect, [])
    .option('--dir <path>', 'folder dataset: the directory of images (labels.csv inside, or -o labels=…)')
    .addHelpText('after', '\nDatasets:\n' + DATASET_NAMES.map((name) => `  ${name.padEnd(15)} ${DATASETS[name].description}`).join('\n'));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `key=value` pairs as dataset options; values that read as JSON (numbers, true, [..]) are taken as such. */
export function datasetSpec(name: string, flags: DatasetFlags): DatasetSpec {
  const options: Record<string, unknown> = {};
  for (const pair of flags.option) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InputError(`--option "${pair}": expected key=value, e.g. nMax=500`);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: a plain string such as a path.
    }
    options[pair.slice(0, at)] = value;
  }
  if (flags.dir !== undefined) options.dir = flags.dir;
  return { name, options };
}

export async function buildFromFlags(name: string, flags: DatasetFlags): Promise<Dataset> {
  const seed = numberOption('--seed', flags.seed, { min: 0, max: 0xffffffff, integer: true });
  return buildDataset(datasetSpec(name, flags), parseSkew(flags.skew ?? defaultSkew(name)), seed);
}

/** A folder is shown as it is; the embedded data with the profile the examples use. */
export function defaultSkew(name: string): string {
  return name === 'folder' ? 'natural' : 'exponential:50';
}

export function registerDataset(program: Command): void {
  addDatasetFlags(program.command('dataset').description('build a seeded, skewed dataset and show its realized label counts per split and its label stats'))
    .option('--json', 'print {dataset, skew, seed, splits: {train, val, test}} as JSON')
    .addHelpText('after', '\nExamples:\n  skewbench dataset fashion-mosaic --skew exponential:50 --seed 1\n  skewbench dataset shapes --skew step:0.3:20 -o nMax=200 --json\n  skewbench dataset folder --dir ./photos -o height=48 -o width=64\n  skewbench dataset folder --dir ./photos --skew uniform -o size=64')
    .action(async (name: string, flags: DatasetFlags & { json?: boolean }) => {
      const d = await buildFromFlags(name, flags);
      d.warnings.forEach(warn);
      const description = describeDataset(d);
      process.stdout.write((flags.json ? JSON.stringify(description, null, 2) : formatDataset(d, description)) + '\n');
    });
}
