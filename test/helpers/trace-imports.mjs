// Loaded with `node --import`: records every module URL the process resolves, one per line, in
// the file named by SKEWBENCH_TRACE_IMPORTS, so a test can tell which packages a command loads.
import { register } from 'node:module';

register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file: process.env.SKEWBENCH_TRACE_IMPORTS } });
