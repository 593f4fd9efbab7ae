import type { Command } from 'commander';
import { num, table } from '../report/format.js';
import { numberOption } from './options.js';

export function registerGemmBench(bench: Command): void {
  bench
    .command('gemm')
    .description("the project GEMM's GFLOP/s on square and reference-CNN convolution shapes, as a share of one core's f32x4 multiply-add peak")
    .option('--repetitions <n>', 'timed samples per case (the median is reported)', '7')
    .option('--sample-seconds <s>', 'minimum length of one sample', '0.2')
    .option('--json', 'print one JSON object')
    .action(async (o: { repetitions: string; sampleSeconds: string; json?: boolean }) => {
      // tfjs loads only when this benchmark runs, so the other commands start fast.
      const { runGemmBench } = await import('../bench/gemm.js');
      const result = await runGemmBench({
        repetitions: numberOption('--repetitions', o.repetitions, { min: 1, integer: true }),
        sampleSeconds: numberOption('--sample-seconds', o.sampleSeconds, { min: 0 }),
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        `${result.machine.cpuModel}, node ${result.machine.node}, cpus ${result.machine.cpuAffinity}: peak ${num(result.peakGflops, 2)} GFLOP/s (${result.multiplyAdd})\n` +
          table(
            ['case', 'products', 'M', 'K', 'N', 'op', 'GFLOP/s', 'of peak'],
            result.rows.map((r) => [
              r.name,
              r.count,
              r.M,
              r.K,
              r.N,
              `${r.transposeA ? 'Aᵀ' : 'A'}·${r.transposeB ? 'Bᵀ' : 'B'}${r.biasRelu ? ' +bias,relu' : ''}`,
              num(r.gflops, 2),
              `${num(r.shareOfPeak * 100, 1)} %`,
            ]),
          ) +
          '\n',
      );
    });
}
