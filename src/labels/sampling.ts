import { classAware } from './samplers/class-aware.js';
import { repeatFactor } from './samplers/repeat-factor.js';
import { squareRoot } from './samplers/square-root.js';
import type { SamplerDefinition } from './samplers/types.js';

export { cumulative, drawImages, type SamplerDefinition, type SamplerOptions } from './samplers/types.js';

/** The online samplers: a new one is one file in samplers/ plus one line here. */
export const SAMPLERS = [classAware, squareRoot, repeatFactor] as const;

export type SamplerName = (typeof SAMPLERS)[number]['name'];
export const SAMPLER_NAMES = SAMPLERS.map((s) => s.name) as SamplerName[];

export function samplerDefinition(name: string): SamplerDefinition | undefined {
  return SAMPLERS.find((s) => s.name === name);
}
