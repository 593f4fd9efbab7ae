import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, BINARY_MODULE_PATH, binaryModuleText, fusedSource, WAT_PATH } from '../../src/train/wasm/build.js';
import { loadGemm, wasmApi, type GemmModule, type WasmMemory } from '../../src/train/wasm/gemm.js';
import { floats } from './helpers.js';

describe('the embedded wasm binaries', () => {
  it('are exactly what gemm.wat assembles to (run `npx tsx src/train/wasm/build.ts` after editing it)', async () => {
    const binaries = await assemble(readFileSync(WAT_PATH, 'utf8'));
    expect(readFileSync(BINARY_MODULE_PATH, 'utf8')).toBe(binaryModuleText(binaries));
  });

  it('differ only in the fused multiply-adds', () => {
    const source = readFileSync(WAT_PATH, 'utf8');
    const fused = fusedSource(source);
    expect(fused.match(/f32x4\.relaxed_madd/g)?.length).toBe(source.match(/f32x4\.add \(local\.get \$c\d\d\) \(f32x4\.mul/g)?.length);
    expect(fused).not.toMatch(/f32x4\.add \(local\.get \$c\d\d\) \(f32x4\.mul/);
  });
});

/** A fresh memory and both GEMM variants on it, independent of tfjs. */
function modules(): { memory: WasmMemory; plain: GemmModule; fused: GemmModule } {
  const memory = new (wasmApi.Memory as unknown as new (d: { initial: number }) => WasmMemory)({ initial: 64 });
  return { memory, plain: loadGemm(memory, { fusedMultiplyAdd: false }), fused: loadGemm(memory, { fusedMultiplyAdd: true }) };
}

describe('gemm.wat GEMM against a float64 reference', () => {
  const { memory, plain, fused } = modules();
  it('rounds c + a·b once where it reports fused multiply-add, twice in the plain build', () => {
    expect(plain.fusedMultiplyAdd).toBe(false);
    // a = b = 1 + 2⁻¹², so a·b = 1 + 2⁻¹¹ + 2⁻²⁴ exactly; rounded to float32 first (a tie, to even) it
    // loses the 2⁻²⁴. C = [1, a]·[−1, b]ᵀ: the first k leaves −1 in the accumulator, the second adds
    // a·b to it: fused 2⁻¹¹ + 2⁻²⁴, unfused 2⁻¹¹.
    const heap = new Float32Array(memory.buffer);
    const x = 1 + 2 ** -12;
    const [aAt, bAt, cAt, tmpAt] = [16, 32, 64, 96];
    const result = (g: GemmModule) => {
      heap.set([1, x], aAt);
      heap.fill(-1, bAt, bAt + 8);
      heap.fill(x, bAt + 8, bAt + 16);
      // B read in place: rows of 8 floats, 32 bytes apart
      g.gemm(aAt * 4, 8, 4, bAt * 4, 32, 32, cAt * 4, 32, 1, 8, 2, 0, 0, tmpAt * 4, 0, 256);
      return Array.from(heap.subarray(cAt, cAt + 8));
    };
    expect(result(plain)).toEqual(Array(8).fill(2 ** -11));
    expect(result(fused)).toEqual(Array(8).fill(fused.fusedMultiplyAdd ? 2 ** -11 + 2 ** -24 : 2 ** -11));
  });

  it('C = act(op(A)·op(B) + bias) for any shape, transposes and loop order, plain and fused, writing only C', () => {
    fc.assert(
      fc.property(
        // rows past one 192-row block and K past one or two K blocks (of kcmax), ragged against 4 × 8 tiles
        fc.oneof(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 189, max: 200 })),
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 530 })),
        fc.oneof(fc.integer({ min: 1, max: 27 }), fc.constantFrom(8, 16, 24, 32)),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(256, 128, 5),
        fc.integer(),
        (M, K, N, ta, tb, withBias, relu, rowOuter, kcmax, seed) => {
          const heap = new Float32Array(memory.buffer);
          const a = floats(M * K, seed);
          const b = floats(K * N, seed + 1);
          const bias = floats(N, seed + 2);
          const Np = Math.ceil(N / 8) * 8;
          // layout (floats): A, B, bias zero-padded to Np, packed B, edge tile, C, a guard band after C
          const aAt = 16;
          const bAt = aAt + M * K;
          const biasAt = bAt + K * N;
          const bpAt = biasAt + Np;
          const tmpAt = bpAt + K * Np;
          const cAt = tmpAt + 32;
          const guard = 16;
          // store op(A) and op(B) the way the flags say they are stored
          for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) heap[aAt + (ta ? k * M + i : i * K + k)] = a[i * K + k];
          for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) heap[bAt + (tb ? j * K + k : k * N + j)] = b[k * N + j];
          heap.set(bias, biasAt);
          heap.fill(0, biasAt + N, biasAt + Np);
          for (const g of [plain, fused]) {
            heap.fill(Number.NaN, cAt, cAt + M * N);
            heap.fill(7, cAt + M * N, cAt + M * N + guard);
            // B read in place when it is row-major with whole 8-column strips, else packed
            const inPlace = !tb && N % 8 === 0;
            if (!inPlace) g.pack_b(bAt * 4, K, N, tb ? 1 : 0, bpAt * 4);
            g.gemm(
              aAt * 4, ta ? 4 : K * 4, ta ? M * 4 : 4,
              (inPlace ? bAt : bpAt) * 4, inPlace ? N * 4 : 32, inPlace ? 32 : K * 32,
              cAt * 4, N * 4, M, N, K, withBias ? biasAt * 4 : 0, relu ? 1 : 0, tmpAt * 4, rowOuter ? 1 : 0, kcmax,
            );
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                let want = withBias ? bias[j] : 0;
                let scale = Math.abs(want);
                for (let k = 0; k < K; k++) {
                  want += a[i * K + k] * b[k * N + j];
                  scale += Math.abs(a[i * K + k] * b[k * N + j]);
                }
                if (relu) want = Math.max(want, 0);
                expect(Math.abs(heap[cAt + i * N + j] - want)).toBeLessThanOrEqual(1e-5 * scale + 1e-7);
              }
            }
            expect(Array.from(heap.subarray(cAt + M * N, cAt + M * N + guard))).toEqual(Array(guard).fill(7));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
