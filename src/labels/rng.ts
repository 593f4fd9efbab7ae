import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

type RandomGenerator = ReturnType<typeof xoroshiro128plus>;

/**
 * The one source of randomness in skewbench. Every random choice takes an `Rng` that was derived
 * from a user-visible seed, so the same spec + seed gives the same numbers on every run.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** An independent stream named by `key`: same parent seed + key ⇒ same stream, whatever was drawn before. */
  fork(key: string | number): Rng;
  /** The seed this stream was created from (for records). */
  readonly seed: number;
}

/** 32-bit FNV-1a, used to turn names into seed material (stable across platforms and runs). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mix two 32-bit values into one (murmur3 finaliser); keeps forks of nearby seeds unrelated. */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

class SeededRng implements Rng {
  private readonly gen: RandomGenerator;
  private spare: number | null = null;
  constructor(readonly seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }
  // float and int are inlined over the raw 32-bit outputs: the planners draw millions of times and
  // the generic distributions cost several times more per draw.
  float(): number {
    const hi = this.gen.next() >>> 5;
    const lo = this.gen.next() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    if (n === 1) return 0;
    if (n > 0x100000000) return uniformInt(this.gen, 0, n - 1);
    // Rejection keeps the draw exactly uniform: discard the top 2³² mod n values.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.gen.next() >>> 0;
      if (x < limit) return x % n;
    }
  }
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  fork(key: string | number): Rng {
    const k = typeof key === 'number' ? key >>> 0 : hash32(key);
    return new SeededRng(mix(this.seed >>> 0, k) | 0);
  }
}

/** A seeded RNG. `seed` is any integer (it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite integer, got ${seed}`);
  return new SeededRng(Math.trunc(seed) | 0);
}

/**
 * The stream a seeded step draws from: a seed starts a new root stream; a stream is used as given.
 * A trial creates its root once and hands it down; each step takes its own named fork of it.
 */
export function streamOf(seed: number | Rng): Rng {
  return typeof seed === 'number' ? createRng(seed) : seed;
}
