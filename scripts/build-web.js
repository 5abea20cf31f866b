// Builds dist/web/, which `metrix serve` serves as /static/… : the pages of src/web/ with their
// shared parts (<!--#include NAME.part.html-->: the head's links, the top bar) written in, their
// scripts and styles as they are, and uPlot with its licence. Every asset comes from metrix
// itself, none from a CDN (sites are often offline).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// --outdir lets tests build a private copy instead of rewriting the shared one under their feet.
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist/web' } } });
const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src/web');
const out = values.outdir;

/** The page with each include line replaced by the part (indented as it will stand); a missing part stops the build. */
function expand(page) {
  return readFileSync(join(src, page), 'utf8').replace(/^[ \t]*<!--#include ([\w.-]+\.part\.html)-->\n/gm, (_, part) => readFileSync(join(src, part), 'utf8'));
}

// A fresh directory each time: a page removed from src/web/ must not linger and be served.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of readdirSync(src)) {
  if (name.endsWith('.part.html')) continue;
  if (name.endsWith('.html')) writeFileSync(join(out, name), expand(name));
  else if (/\.(js|css|svg)$/.test(name)) copyFileSync(join(src, name), join(out, name));
}
const uplot = join(root, 'node_modules/uplot');
copyFileSync(join(uplot, 'dist/uPlot.iife.min.js'), join(out, 'uPlot.iife.min.js'));
copyFileSync(join(uplot, 'dist/uPlot.min.css'), join(out, 'uPlot.min.css'));
copyFileSync(join(uplot, 'LICENSE'), join(out, 'uPlot.LICENSE.txt'));
