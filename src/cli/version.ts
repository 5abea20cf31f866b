import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../poll/collector-bundle.js';

/** The version in metrix's package.json: what `metrix --version` prints and the collector bundle carries. */
export function metrixVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
