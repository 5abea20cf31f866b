import { describe, expect, it } from 'vitest';
import { remoteDirProblem } from '../../src/upload/remote-dir-policy.js';

const dir = (mode: number, uid = 1000, kind: 'dir' | 'link' | 'file' = 'dir') => ({ mode, uid, isDirectory: kind === 'dir', isSymbolicLink: kind === 'link' });

describe('remoteDirProblem', () => {
  it.each([
    ['0700, ours', dir(0o700), undefined],
    ['0755, ours', dir(0o755), undefined],
    ['1700, ours', dir(0o1700), undefined],
    ['1777', dir(0o1777), /writable by everyone \(mode 1777\)/],
    ['0757', dir(0o757), /writable by everyone \(mode 0757\)/],
    ['0775', dir(0o775), /writable by its group \(mode 0775\)/],
    ['2770 setgid shared', dir(0o2770), /writable by its group \(mode 2770\)/],
    ['someone else\'s', dir(0o700, 0), /belongs to uid 0, not to the login user \(uid 1000\)/],
    ['a symlink', dir(0o777, 1000, 'link'), /is a symbolic link/],
    ['a file', dir(0o600, 1000, 'file'), /exists and is not a directory/],
  ])('%s', (_label, stats, expected) => {
    const problem = remoteDirProblem('/srv/m', stats, 1000);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
