// Copies the pages (src/web/) and uPlot, with its licence, into dist/web/, which `metrix serve`
// serves as /static/… : every asset comes from metrix itself, none from a CDN (sites are often offline).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// --outdir lets tests build a private copy instead of rewriting the shared one under their feet.
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist/web' } } });
const root = new URL('..', import.meta.url).pathname;
const out = values.outdir;

// A fresh directory each time: a page removed from src/web/ must not linger and be served.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of readdirSync(join(root, 'src/web'))) {
  if (/\.(html|js|css|svg)$/.test(name)) copyFileSync(join(root, 'src/web', name), join(out, name));
}
const uplot = join(root, 'node_modules/uplot');
copyFileSync(join(uplot, 'dist/uPlot.iife.min.js'), join(out, 'uPlot.iife.min.js'));
copyFileSync(join(uplot, 'dist/uPlot.min.css'), join(out, 'uPlot.min.css'));
copyFileSync(join(uplot, 'LICENSE'), join(out, 'uPlot.LICENSE.txt'));
