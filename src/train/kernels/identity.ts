import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Identity shares the data (as the cpu backend does) instead of copying it. Gradient recording
 * clones every tensor it saves for the backward pass, so the builtin copy cost ~2.5 ms per
 * reference-CNN step. Sharing is safe because no kernel writes into its inputs.
 */
function identity(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
