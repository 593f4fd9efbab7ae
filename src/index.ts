export { LabelMatrix } from './labels/matrix.js';
export { createRng, type Rng } from './labels/rng.js';
export { InputError } from './errors.js';
