import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, version_wasm, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gemmModule } from './kernels/gemm-runtime.js';
import { registerWasmTrainingKernels } from './kernels/register.js';

import { BACKEND_PREFERENCES, type BackendPreference } from './names.js';

export { BACKEND_PREFERENCES, type BackendPreference } from './names.js';

export interface BackendChoice {
  /** tfjs backend name: 'tensorflow', 'wasm' or 'cpu'. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Version of the package that provides it (part of every result record). */
  version: string;
  /** One line saying which backend runs and why; the caller decides whether to print it. */
  reason: string;
}

const TFJS_NODE = '@tensorflow/tfjs-node';
const require = createRequire(import.meta.url);
const chosen = new Map<BackendPreference, BackendChoice>();

/**
 * Selects (and initialises) the tfjs backend. `auto` prefers native TensorFlow via
 * @tensorflow/tfjs-node when that optional package loads, then wasm, then cpu. Idempotent: asking
 * again for the same preference returns the same choice (re-activating that backend if another
 * was selected in between) without initialising anything again.
 *
 * tfjs's own console output (the "install our node backend" banner, kernel re-registration
 * warnings) is silenced; the returned `reason` replaces it.
 */
export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new Error(`unknown backend '${String(preference)}' (expected one of ${BACKEND_PREFERENCES.join(', ')})`);
  }
  const previous = chosen.get(preference);
  if (previous) {
    if (tf.getBackend() !== previous.name && !(await tf.setBackend(previous.name))) {
      throw new Error(`backend '${previous.name}' failed to re-initialise`);
    }
    return previous;
  }
  // PROD silences backend_util.warn (the cpu banner) and skips per-op debug checks.
  tf.env().set('PROD', true);

  let choice: BackendChoice;
  if (preference === 'tensorflow') {
    const failure = await useTensorflow();
    if (failure) throw new Error(`backend 'tensorflow' is unavailable: ${failure}`);
    choice = { name: 'tensorflow', version: tfjsNodeVersion(), reason: 'backend tensorflow (native TensorFlow via @tensorflow/tfjs-node): requested' };
  } else if (preference === 'wasm') {
    choice = { name: 'wasm', version: version_wasm, reason: `${await useWasm()}: requested` };
  } else if (preference === 'cpu') {
    await useCpu();
    choice = { name: 'cpu', version: version_cpu, reason: 'backend cpu (plain JavaScript): requested' };
  } else {
    const tensorflowFailure = await useTensorflow();
    if (!tensorflowFailure) {
      choice = { name: 'tensorflow', version: tfjsNodeVersion(), reason: 'backend tensorflow (native TensorFlow via @tensorflow/tfjs-node): it loaded' };
    } else {
      try {
        choice = { name: 'wasm', version: version_wasm, reason: `${await useWasm()}: ${tensorflowFailure}` };
      } catch (err) {
        await useCpu();
        choice = {
          name: 'cpu',
          version: version_cpu,
          reason: `backend cpu (plain JavaScript, slow): ${tensorflowFailure}; wasm failed to start (${firstLine(err)})`,
        };
      }
    }
  }
  chosen.set(preference, choice);
  return choice;
}

/** Returns why native TensorFlow cannot be used, or undefined once it is the active backend. */
async function useTensorflow(): Promise<string | undefined> {
  if (!tf.findBackend('tensorflow')) {
    // The native library logs its CPU-feature notices to stderr unless told otherwise.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    try {
      await import(TFJS_NODE);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return `${TFJS_NODE} is not installed`;
      return `${TFJS_NODE} failed to load (${firstLine(err)})`;
    }
    // tfjs-node registers its backend with whichever tfjs-core it resolved; a second copy would
    // leave ours without it.
    if (!tf.findBackend('tensorflow')) return `${TFJS_NODE} loaded but registered with a different copy of @tensorflow/tfjs-core`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${TFJS_NODE} is installed but its backend failed to initialise`;
  await tf.ready();
  return undefined;
}

function tfjsNodeVersion(): string {
  try {
    return (require(`${TFJS_NODE}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

let wasmConfigured = false;

/** Initialises wasm with the project kernels; returns how they run, for the reason line. */
async function useWasm(): Promise<string> {
  if (!wasmConfigured) {
    // One thread per trial: trials run in parallel across cores (the runner's job), and a threaded
    // build would compete with them.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    setWasmPaths(dist + path.sep);
    wasmConfigured = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  registerWasmTrainingKernels();
  const { fusedMultiplyAdd } = gemmModule(tf.backend() as BackendWasm);
  return `backend wasm (1 thread, project SIMD kernels${fusedMultiplyAdd ? ' with fused multiply-add' : ''})`;
}

async function useCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  await tf.ready();
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  return message.split('\n')[0];
}
