// Loaded with `node --import`: records every module the process loads, one per line, in the file
// named by SKEWBENCH_TRACE_IMPORTS, so a test can tell which packages a command loads. ES modules are
// seen by a resolve hook; CommonJS packages loaded with `require` (as some are, for start-up speed)
// by a wrapper around the CommonJS loader.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.SKEWBENCH_TRACE_IMPORTS;
register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file } });

if (file) {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    try {
      const resolved = Module._resolveFilename(request, parent, isMain);
      appendFileSync(file, `${resolved.startsWith('/') ? pathToFileURL(resolved).href : resolved}\n`);
    } catch {
      // The load below reports what cannot be resolved.
    }
    return load.apply(this, [request, parent, isMain]);
  };
}
