import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { runCli } from '../helpers/io.js';

/** `metrix --version` and `-V` as a sysadmin runs them: the built CLI (dist/), exit 0, the package.json version. */
const VERSION = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

const metrix = async (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    // execFile's timeout is the deadline: a CLI that hangs is killed and fails the test.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(packageRoot(), 'bin', 'metrix.js'), ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

describe('metrix --version', () => {
  it('is the version in package.json', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([['--version'], ['-V']])('%s prints it from the built CLI and exits 0', async (flag) => {
    expect(await metrix([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('is listed in --help', async () => {
    expect((await runCli('/', ['--help'])).stdout).toMatch(/^\s+-V, --version\s+show the version$/m);
  });

  it('prints nothing else and ignores the config (none needed)', async () => {
    expect(await runCli('/nonexistent', ['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});
