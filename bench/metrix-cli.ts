/** The metrix CLI as the benchmarks start it: bin/metrix.js of this package, under this Node. */
import { join } from 'node:path';
import { packageRoot } from '../src/poll/collector-bundle.js';

/** argv for `node [nodeOptions] bin/metrix.js args…`. */
export function metrixArgv(args: readonly string[], nodeOptions: readonly string[] = []): string[] {
  return [process.execPath, ...nodeOptions, join(packageRoot(), 'bin', 'metrix.js'), ...args];
}

/** The ok count of upload's or execute's closing summary ("polled 200 hosts in 5.1s: 200 ok, 0 failed"). */
export function okCount(output: string): number | undefined {
  const m = /: (\d+) ok, \d+ failed/.exec(output);
  return m ? Number(m[1]) : undefined;
}
