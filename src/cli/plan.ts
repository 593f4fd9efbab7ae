import type { Command } from 'commander';
import { readLabelsCsv } from '../data/labels-csv.js';
import { planOversampling, PLANNERS, PLAN_METHODS, type PlanOptions } from '../labels/oversample.js';
import { formatPlan, planJson } from '../report/labels.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { choiceOption, numberOption, warn } from './options.js';
import { InputError } from '../errors.js';

/** An option's default, from the planner that declares it. */
function defaultOf(option: keyof PlanOptions): unknown {
  return PLANNERS.map((p) => p.defaults[option]).find((v) => v !== undefined);
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('which images to duplicate, and how often, so rare labels catch up')
    .argument('<labels.csv>', 'image labels (see stats)')
    .requiredOption('--method <m>', PLANNERS.map((p) => `${p.name}: ${p.summary}`).join('; '))
    .option('--target <t>', 'targeted: per-label target: max, mean, median or a count', String(defaultOf('target')))
    .option('--max-growth <g>', 'targeted: at most this many times the original size', String(defaultOf('maxGrowth')))
    .option('--percent <p>', 'ml-ros: clones as a percentage of the original size', String(defaultOf('percent')))
    .option('--threshold <t>', 'rfs: share threshold t (default 1 / number of labels)')
    .option('--seed <s>', 'seed of the random choices', '0')
    .option('--sep <s>', 'separator between label names in a labels column', '|')
    .option('--json', 'print JSON instead of a table')
    .option('--out <plan.csv>', 'also write index,id,copies for every copied image')
    .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
      const method = choiceOption('--method', String(o.method), PLAN_METHODS);
      const target = String(o.target);
      const options: PlanOptions = {
        target: ['max', 'mean', 'median'].includes(target) ? (target as 'max') : numberOption('--target', target, { min: 0 }),
        maxGrowth: numberOption('--max-growth', String(o.maxGrowth), { min: 1 }),
        percent: numberOption('--percent', String(o.percent), { min: 0 }),
        threshold: o.threshold === undefined ? undefined : numberOption('--threshold', String(o.threshold), { min: 0, max: 1, exclusiveMin: true }),
      };
      const seed = numberOption('--seed', String(o.seed), { min: 0, max: 0xffffffff, integer: true });
      const matrix = readLabelsCsv(file, { sep: String(o.sep) });
      let plan: ReturnType<typeof planOversampling>;
      try {
        plan = planOversampling(matrix, method, options, seed);
      } catch (err) {
        if (err instanceof RangeError) throw new InputError(`${file}: ${err.message}`);
        throw err;
      }
      if (typeof o.out === 'string') {
        const { planCsv } = await import('../report/plan-csv.js');
        writeFileAtomic(o.out, planCsv(plan, matrix.ids));
      }
      if (o.json) {
        plan.warnings.forEach(warn);
        process.stdout.write(JSON.stringify(planJson(plan, matrix.labels)) + '\n');
      } else {
        process.stdout.write(formatPlan(plan, matrix.labels) + '\n');
        if (typeof o.out === 'string') process.stdout.write(`wrote ${o.out}\n`);
      }
    });
}
