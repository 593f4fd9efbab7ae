/** The reference workload: what torch_throughput.py runs by default. */
export const REFERENCE_WORKLOAD = { size: 28, labels: 10, batchSize: 64, images: 2048, epochs: 2 } as const;
