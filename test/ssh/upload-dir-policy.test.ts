import { describe, expect, it } from 'vitest';
import { ancestorProblem, remoteDirStatsProblem } from '../../src/ssh/remote-dir-policy.js';

const dir = (mode: number, uid = 1000, kind: 'dir' | 'link' | 'file' = 'dir') => ({ mode, uid, isDirectory: kind === 'dir', isSymbolicLink: kind === 'link' });

describe('remoteDirStatsProblem', () => {
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
    const problem = remoteDirStatsProblem('/srv/m', stats, 1000);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});

describe('ancestorProblem', () => {
  it.each([
    ['/ (0755)', '/', 0o755, undefined],
    ['/tmp (1777, sticky)', '/tmp', 0o1777, undefined],
    ['a group project dir with the sticky bit (3775)', '/proj', 0o3775, undefined],
    ['/srv/shared (0777)', '/srv/shared', 0o777, /\/srv\/shared, above remoteDir \/srv\/shared\/m, is writable by everyone without the sticky bit \(mode 0777\)/],
    ['a group dir (2775)', '/proj', 0o2775, /writable by its group without the sticky bit \(mode 2775\).*chmod \+t \/proj/],
  ])('%s', (_label, ancestor, mode, expected) => {
    const problem = ancestorProblem('/srv/shared/m', ancestor, mode);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
