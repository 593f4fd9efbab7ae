import { digitsMosaic } from './digits-mosaic.js';
import { fashionMosaic } from './fashion-mosaic.js';
import { folder } from './folder.js';
import { mixedMosaic } from './mixed-mosaic.js';
import { shapes } from './shapes.js';
import type { DatasetSource } from './types.js';

export type { Dataset, DatasetSource } from './types.js';

/** Every dataset source, one line each; spec validation and the CLI read names and options here. */
export const DATASET_SOURCES: readonly DatasetSource[] = [fashionMosaic, digitsMosaic, mixedMosaic, shapes, folder];

export const DATASET_NAMES = DATASET_SOURCES.map((s) => s.name);

export function datasetSource(name: string): DatasetSource | undefined {
  return DATASET_SOURCES.find((s) => s.name === name);
}
