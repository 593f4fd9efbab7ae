/*
 * The fixed decomposition of a training batch into micro-batches. A step's gradient is the sum of
 * its micro-batches' gradients, added in micro-batch order, whichever thread computed each one: so
 * the weights after a step, and every result after them, are the same for one thread or several.
 */

/**
 * Micro-batches per batch unless a spec says otherwise (`train.microBatches`): 2, so two threads can
 * share every batch; 1 for the `mlp`, whose step is a few short matrix products that splitting
 * slows down more than a second thread speeds up. It depends on the model alone, never on threads.
 */
export function defaultMicroBatches(model: { kind: string }): number {
  return model.kind === 'mlp' ? 1 : 2;
}

/**
 * `[start, end)` of each micro-batch of a batch of `batchSize` images split `parts` ways: the first
 * `batchSize mod parts` get one image more; a batch smaller than `parts` has fewer (none empty).
 */
export function microBatchBounds(batchSize: number, parts: number): Array<[number, number]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`microBatches must be a positive integer, got ${parts}`);
  const count = Math.min(parts, batchSize);
  const base = Math.floor(batchSize / count);
  const extra = batchSize % count;
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    bounds.push([start, end]);
    start = end;
  }
  return bounds;
}

/** The thread (0 = the trial's own) that computes micro-batch `part` when `threads` share a batch. */
export function ownerOf(part: number, threads: number): number {
  return part % threads;
}
