import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSpec } from '../../client-script/src/checks-spec.js';
import { runCollector } from '../../client-script/src/run.js';
import { specOnStdin } from '../../src/checks/spec-for-host.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

// A one-shot collector's spec travels on its stdin (`--spec -`), so the check commands in it are
// not on the host's command lines, which every user there reads in ps. (Over SSH: checks-ssh.test.ts.)

const spec = { v: 1, checks: [{ name: 'c', command: 'exit 1', everyMs: 60_000, timeoutMs: 5000 }], logs: [] };

describe('the spec on stdin', () => {
  it('is moved out of the arguments for one-shot runs; arguments without a spec stay as they are', () => {
    const encoded = encodeSpec(spec);
    expect(specOnStdin(['--challenge', 'x', '--spec', encoded, '--warmup-ms', '300'])).toEqual({ args: ['--challenge', 'x', '--spec', '-', '--warmup-ms', '300'], stdin: `${encoded}\n` });
    expect(specOnStdin(['--challenge', 'x'])).toEqual({ args: ['--challenge', 'x'], stdin: undefined });
  });

  it('is read by the collector from stdin with --spec -, and refused with a one-line reason when damaged', async () => {
    const state = join(tempDir(), 'state.json');
    const report = JSON.parse(await runCollector(['--print', '--state', state, '--spec', '-'], tempDir(), undefined, async () => `${encodeSpec(spec)}\n`));
    expect(report.checks).toEqual([expect.objectContaining({ name: 'c', status: 1, fresh: true })]);
    await expect(runCollector(['--print', '--state', state, '--spec', '-'], tempDir(), undefined, async () => 'garbage\n')).rejects.toThrow(/^--spec - \(stdin\): /);
  });

  it('reaches a local host\'s collector: the check sees "--spec -" on its parent\'s command line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), `<metrix>
  <settings database="./metrix.db" keys="./keys"/>
  <hosts><host name="localhost" transport="local"/></hosts>
  <checks><check name="argv" command="tr '\\000' ' ' &lt; /proc/$PPID/cmdline; echo; exit 2"/></checks>
</metrix>
`);
    const run = await runCli(dir, ['execute']);
    expect(run.stdout, run.stderr).toMatch(/1 ok, 0 failed/);
    const events = JSON.parse((await runCli(dir, ['events', '--format', 'json'])).stdout) as Array<{ kind: string; text: string }>;
    const shown = events.find((e) => e.kind === 'check_changed')!.text;
    expect(shown).toMatch(/metrix-collector\.js .*--spec -( |$)/);
    expect(shown).not.toMatch(/cmdline|--spec [A-Za-z0-9_-]{20}/);
  }, 120_000);
});
