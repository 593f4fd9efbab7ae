/**
 * n images × L labels, stored as a row-major bitset (⌈L/32⌉ words per image), so a million images
 * with a hundred labels fit in 16 MB. A CSR view of each image's positive labels is built on demand
 * for the algorithms that walk them.
 */
export class LabelMatrix {
  readonly rows: number;
  readonly labels: readonly string[];
  /** Image ids (first CSV column) when the matrix came from a file; otherwise row numbers as strings. */
  readonly ids: readonly string[] | undefined;
  readonly wordsPerRow: number;
  private readonly bits: Uint32Array;
  private csr: { offsets: Int32Array; labels: Int32Array } | undefined;
  private countCache: Int32Array | undefined;

  constructor(rows: number, labels: readonly string[], bits?: Uint32Array, ids?: readonly string[]) {
    if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
    if (new Set(labels).size !== labels.length) throw new Error(`label names must be unique: ${labels.join(', ')}`);
    if (ids && ids.length !== rows) throw new Error(`ids has ${ids.length} entries for ${rows} rows`);
    this.rows = rows;
    this.labels = labels;
    this.ids = ids;
    this.wordsPerRow = Math.max(1, Math.ceil(labels.length / 32));
    const size = rows * this.wordsPerRow;
    if (bits && bits.length !== size) throw new Error(`bitset has ${bits.length} words, expected ${size}`);
    this.bits = bits ?? new Uint32Array(size);
  }

  get numLabels(): number {
    return this.labels.length;
  }

  /** From one list of label indices per image. */
  static fromRows(labels: readonly string[], rows: ReadonlyArray<ReadonlyArray<number>>, ids?: readonly string[]): LabelMatrix {
    const m = new LabelMatrix(rows.length, labels, undefined, ids);
    rows.forEach((r, i) => {
      for (const l of r) m.set(i, l, true);
    });
    return m;
  }

  /** From a dense 0/1 array of n × L (row-major), e.g. a tensor's data. */
  static fromDense(labels: readonly string[], dense: ArrayLike<number>, ids?: readonly string[]): LabelMatrix {
    const L = labels.length;
    if (L === 0 ? dense.length !== 0 : dense.length % L !== 0) throw new Error(`dense length ${dense.length} is not a multiple of ${L} labels`);
    const n = L === 0 ? 0 : dense.length / L;
    const m = new LabelMatrix(n, labels, undefined, ids);
    for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) if (dense[i * L + l]) m.set(i, l, true);
    return m;
  }

  private check(i: number, l: number): void {
    if (i < 0 || i >= this.rows || !Number.isInteger(i)) throw new RangeError(`row ${i} out of range [0, ${this.rows})`);
    if (l < 0 || l >= this.labels.length || !Number.isInteger(l)) throw new RangeError(`label ${l} out of range [0, ${this.labels.length})`);
  }

  has(i: number, l: number): boolean {
    return ((this.bits[i * this.wordsPerRow + (l >>> 5)] >>> (l & 31)) & 1) === 1;
  }

  set(i: number, l: number, value: boolean): void {
    this.check(i, l);
    const w = i * this.wordsPerRow + (l >>> 5);
    if (value) this.bits[w] |= 1 << (l & 31);
    else this.bits[w] &= ~(1 << (l & 31));
    this.csr = undefined;
    this.countCache = undefined;
  }

  /** Positive labels per image in compressed-row form: image i's labels are labels[offsets[i] .. offsets[i+1]). */
  positives(): { offsets: Int32Array; labels: Int32Array } {
    if (this.csr) return this.csr;
    const n = this.rows;
    const W = this.wordsPerRow;
    const bits = this.bits;
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let w = 0; w < W; w++) total += popcount(bits[i * W + w]);
      offsets[i + 1] = total;
    }
    const labels = new Int32Array(total);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let w = 0; w < W; w++) {
        let word = bits[i * W + w];
        while (word !== 0) {
          const low = word & -word;
          labels[k++] = w * 32 + (31 - Math.clz32(low));
          word ^= low;
        }
      }
    }
    this.csr = { offsets, labels };
    return this.csr;
  }

  /** The label indices of image i, ascending. */
  labelsOf(i: number): number[] {
    const { offsets, labels } = this.positives();
    return Array.from(labels.subarray(offsets[i], offsets[i + 1]));
  }

  /** Number of labels image i carries. */
  rowCount(i: number): number {
    let c = 0;
    for (let w = 0; w < this.wordsPerRow; w++) c += popcount(this.bits[i * this.wordsPerRow + w]);
    return c;
  }

  /** Images per label. */
  counts(): Int32Array {
    if (this.countCache) return this.countCache.slice();
    const counts = new Int32Array(this.labels.length);
    if (this.csr) {
      const labels = this.csr.labels;
      for (let k = 0; k < labels.length; k++) counts[labels[k]]++;
    } else {
      const W = this.wordsPerRow;
      const bits = this.bits;
      for (let j = 0; j < bits.length; j++) {
        let word = bits[j];
        const base = (j % W) * 32;
        while (word !== 0) {
          const low = word & -word;
          counts[base + 31 - Math.clz32(low)]++;
          word ^= low;
        }
      }
    }
    this.countCache = counts;
    return counts.slice();
  }

  /** The images at `indices` (repeats allowed), in that order. */
  select(indices: ArrayLike<number>): LabelMatrix {
    const W = this.wordsPerRow;
    const out = new Uint32Array(indices.length * W);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (i < 0 || i >= this.rows || !Number.isInteger(i)) throw new RangeError(`row ${i} out of range [0, ${this.rows})`);
      out.set(this.bits.subarray(i * W, i * W + W), k * W);
    }
    const ids = this.ids ? Array.from(indices, (i) => this.ids![i]) : undefined;
    return new LabelMatrix(indices.length, this.labels, out, ids);
  }

  /** Rows of `this` followed by rows of `other` (same labels). */
  concat(other: LabelMatrix): LabelMatrix {
    if (other.labels.length !== this.labels.length || other.labels.some((l, i) => l !== this.labels[i])) {
      throw new Error('concat: label names differ');
    }
    const bits = new Uint32Array(this.bits.length + other.bits.length);
    bits.set(this.bits, 0);
    bits.set(other.bits, this.bits.length);
    const ids = this.ids && other.ids ? [...this.ids, ...other.ids] : undefined;
    return new LabelMatrix(this.rows + other.rows, this.labels, bits, ids);
  }

  /** Column l of the result is column perm[l] of this matrix. */
  permuteLabels(perm: ArrayLike<number>): LabelMatrix {
    const L = this.labels.length;
    if (perm.length !== L) throw new Error(`permutation has ${perm.length} entries for ${L} labels`);
    const out = new LabelMatrix(this.rows, Array.from(perm, (p) => this.labels[p]), undefined, this.ids);
    for (let i = 0; i < this.rows; i++) for (let l = 0; l < L; l++) if (this.has(i, perm[l])) out.bits[i * out.wordsPerRow + (l >>> 5)] |= 1 << (l & 31);
    return out;
  }

  /** Dense n × L row-major 0/1 floats, the layout a tfjs label tensor takes. */
  toDense(): Float32Array {
    const L = this.labels.length;
    const out = new Float32Array(this.rows * L);
    const { offsets, labels } = this.positives();
    for (let i = 0; i < this.rows; i++) for (let k = offsets[i]; k < offsets[i + 1]; k++) out[i * L + labels[k]] = 1;
    return out;
  }

  /** Bytes held by the bitset (what "the matrix itself" costs in memory). */
  get byteLength(): number {
    return this.bits.byteLength;
  }

  /** The raw bitset (read-only by convention), for hashing and serialisation. */
  get words(): Uint32Array {
    return this.bits;
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
