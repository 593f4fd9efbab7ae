import { createRequire } from 'node:module';

/*
 * CommonJS packages (and the single-file CommonJS bundles that csv-parse and csv-stringify ship) are
 * loaded with `require`: importing them as ES modules costs Node a lexer pass over each file and, for
 * csv-parse, seventeen module files instead of one, a third of `skewbench stats`'s start-up.
 */
export const requireModule = createRequire(import.meta.url);
