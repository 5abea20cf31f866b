import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetrixError } from '../errors.js';

/** The metrix package root, found from this module whether it runs from dist/ or from src/ under vitest. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'metrix') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new MetrixError('INTERNAL', 'cannot find the metrix package root');
    dir = parent;
  }
}

/** Path of the built collector, the one file that runs on every host. */
export function collectorBundlePath(): string {
  const path = join(packageRoot(), 'dist', 'collector', 'metrix-collector.js');
  if (!existsSync(path)) throw new MetrixError('INTERNAL', `collector bundle ${path} is missing: run "npm run build" in ${packageRoot()}`);
  return path;
}
