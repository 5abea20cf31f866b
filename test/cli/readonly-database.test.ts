import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

// Issue #7 item 17: `query`, `alerts` and `silence list` failed on a database the user may only
// read. Permission bits do not bind root, and CI runs as root: the CLI then runs as nobody.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'metrix.js');
const asRoot = process.getuid?.() === 0;
const NOW = Date.now();
const SINCE = '2h';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as an unprivileged user (nobody when we are root), with a deadline. */
function metrixAsUser(cwd: string, args: readonly string[]): Promise<Run> {
  const drop = asRoot ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath] : [];
  const [command, ...rest] = asRoot ? ['setpriv', ...drop, BIN, ...args] : [process.execPath, BIN, ...args];
  return new Promise((done) => {
    execFile(command!, rest, { cwd, timeout: 30_000, killSignal: 'SIGKILL', env: { PATH: process.env.PATH, HOME: '/nonexistent' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** A config dir with a database holding one host's cpu samples and a silence; file and directory then made read-only. */
function readOnlySetup(): { dir: string; db: string } {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'config.xml'), '<metrix><settings database="data/metrix.db"/><hosts><host name="me" transport="local"/></hosts></metrix>');
  const db = join(dir, 'data', 'metrix.db');
  const store = Store.open(db);
  store.writeSamples('me', NOW - 60_000, [{ m: 'cpu_percent', v: 12.5 }]);
  store.writeSamples('me', NOW - 30_000, [{ m: 'cpu_percent', v: 13.5 }]);
  store.silences.add({ host: 'me', rule: undefined, labels: {}, startsAt: NOW, endsAt: NOW + 3_600_000, comment: 'disk swap', createdBy: 'root' }, NOW);
  store.close();
  chmodSync(db, 0o444);
  chmodSync(dirname(db), 0o555);
  return { dir, db };
}

const READERS: readonly (readonly [readonly string[], RegExp])[] = [
  [['query', '-h', 'me', '-m', 'cpu_percent', '--since', SINCE, '--format', 'csv'], /^time,host,metric,labels,value\r\n.*,me,cpu_percent,,12\.5\r\n.*,me,cpu_percent,,13\.5\r\n$/],
  [['alerts', '--since', SINCE, '--json'], /^\[\]\n$/],
  [['silence', 'list', '--format', 'csv'], /^id,host,rule,labels,from,until,by,comment\r\n1,me,\*,,.*,root,disk swap\r\n$/],
];

describe.skipIf(!asRoot && process.getuid?.() === undefined)('a database the user may only read', () => {
  it.each(READERS)('metrix %j reads it, and leaves no file behind', async (args, output) => {
    const { dir, db } = readOnlySetup();
    const before = readFileSync(db);
    const run = await metrixAsUser(dir, args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(output);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(statSync(db).mode & 0o777).toBe(0o444);
  });

  it('is read while a writer holds it open (its -shm exists)', async () => {
    const { dir, db } = readOnlySetup();
    const writer = Store.open(db);
    try {
      writer.writeSamples('me', NOW - 10_000, [{ m: 'cpu_percent', v: 14.5 }]);
      const run = await metrixAsUser(dir, ['query', '-h', 'me', '-m', 'cpu_percent', '--since', SINCE, '--format', 'csv']);
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\r\n').filter((line) => line.includes(',me,'))).toHaveLength(3);
    } finally {
      writer.close();
    }
  });

  it('a writer fails with a database error that says why, exit 1, no stack', async () => {
    const { dir } = readOnlySetup();
    const run = await metrixAsUser(dir, ['silence', 'add', '-h', 'me', '--for', '1h', '--comment', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^metrix: database .*metrix\.db: attempt to write a readonly database \(this command writes to the database: the user running it needs write access to the file and its directory\)\n$/);
  });
});
