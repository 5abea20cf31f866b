// Bundles client-script/ into one file that runs with plain `node` (>= 8) on a monitored host.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

// --outfile lets tests build a private copy instead of rewriting the shared one under their feet.
const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'dist/collector/metrix-collector.js' } } });
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['client-script/src/main.ts'],
  outfile: values.outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node8',
  minify: false,
  legalComments: 'inline',
  banner: { js: '#!/usr/bin/env node' },
  define: { COLLECTOR_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});

// The bundle is CommonJS while this package is "type": "module": mark its folder so Node
// runs it as CommonJS here too (on a host it stands alone, where .js is CommonJS anyway).
mkdirSync(dirname(values.outfile), { recursive: true });
writeFileSync(`${dirname(values.outfile)}/package.json`, '{ "type": "commonjs" }\n');
