import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_STATE_BYTES, parseState, readStateSection, renderState, writeStateSection, type Sections,
} from '../../client-script/src/state-file.js';
import { tempDir } from '../helpers/tmp.js';

const asRoot = process.getuid?.() === 0;
const stateText = (sections: Record<string, unknown>): string => JSON.stringify({ v: 1, sections });

describe('state file text', () => {
  it('renders versioned JSON that parses back, keeping every section', () => {
    const sections = JSON.parse('{"logs": {"/var/log/x": 10}, "__proto__": [1]}') as Sections;
    const text = renderState(sections);
    expect(JSON.parse(text)).toMatchObject({ v: 1 });
    const parsed = parseState(text);
    expect('sections' in parsed && Object.keys(parsed.sections)).toEqual(['logs', '__proto__']);
    expect('sections' in parsed && parsed.sections['__proto__']).toEqual([1]);
  });

  it.each([
    ['not JSON', '{"v":1,', 'not valid JSON'],
    ['a list', '[]', 'not a JSON object'],
    ['another version', '{"v":2,"sections":{}}', 'version 2, not 1'],
    ['no version', '{"sections":{}}', 'version undefined, not 1'],
    ['sections as a list', '{"v":1,"sections":[]}', 'no "sections" object'],
  ])('refuses %s', (_name, text, problem) => {
    expect(parseState(text)).toEqual({ problem });
  });
});

describe('state file on disk', () => {
  const inode = (path: string): number => statSync(path).ino;

  it('writes a 0600 file through a renamed temporary, keeps other sections, and only when the text changes', () => {
    const path = join(tempDir(), 'metrix-state.json');
    expect(writeStateSection(path, 'logs', { '/var/log/syslog': 42 })).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const first = inode(path);
    expect(writeStateSection(path, 'hungStatfs', [{ mount: '/mnt/fuse' }])).toBeUndefined();
    expect(readStateSection(path, 'logs')).toEqual({ '/var/log/syslog': 42 });
    expect(readStateSection(path, 'hungStatfs')).toEqual([{ mount: '/mnt/fuse' }]);
    // A rename puts a new inode in place; an in-place write would keep the old one.
    const second = inode(path);
    expect(second).not.toBe(first);
    expect(writeStateSection(path, 'hungStatfs', [{ mount: '/mnt/fuse' }])).toBeUndefined();
    expect(inode(path)).toBe(second);
    expect(writeStateSection(path, 'hungStatfs', undefined)).toBeUndefined();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ v: 1, sections: { logs: { '/var/log/syslog': 42 } } });
    expect(readdirSync(join(path, '..'))).toEqual(['metrix-state.json']);
  });

  it('creates no file while there is nothing to remember', () => {
    const path = join(tempDir(), 'metrix-state.json');
    expect(writeStateSection(path, 'hungStatfs', undefined)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    expect(readStateSection(path, 'hungStatfs')).toBeUndefined();
  });

  const valid = stateText({ hungStatfs: ['planted'], logs: 1 });
  const ignoredCases: Array<[string, (path: string) => void]> = [
    ['corrupt', (path) => writeFileSync(path, '{"v":1,"sections":{"hungStatfs":', { mode: 0o600 })],
    ['oversized', (path) => writeFileSync(path, valid + ' '.repeat(MAX_STATE_BYTES), { mode: 0o600 })],
    ['of another version', (path) => writeFileSync(path, JSON.stringify({ v: 2, sections: { hungStatfs: ['planted'] } }), { mode: 0o600 })],
    ['writable by its group', (path) => {
      writeFileSync(path, valid);
      chmodSync(path, 0o620);
    }],
    ['a symlink to a good state file', (path) => {
      writeFileSync(`${path}.real`, valid, { mode: 0o600 });
      symlinkSync(`${path}.real`, path);
    }],
    ['a FIFO (must not block the read)', (path) => execFileSync('mkfifo', ['-m', '600', path])],
  ];
  if (asRoot) {
    ignoredCases.push(['owned by another user', (path) => {
      writeFileSync(path, valid, { mode: 0o600 });
      chownSync(path, 65534, 65534);
    }]);
  }
  it.each(ignoredCases)('ignores a state file that is %s and replaces it at the next write', (_name, plant) => {
    const path = join(tempDir(), 'metrix-state.json');
    plant(path);
    expect(readStateSection(path, 'hungStatfs')).toBeUndefined();
    expect(readStateSection(path, 'logs')).toBeUndefined();
    expect(writeStateSection(path, 'hungStatfs', undefined)).toBeUndefined();
    const stats = lstatSync(path);
    expect(stats.isFile()).toBe(true);
    expect(stats.uid).toBe(process.getuid?.());
    expect(stats.mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ v: 1, sections: {} });
  });

  it('says why it cannot write, and leaves nothing behind', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-dir'), '');
    const path = join(dir, 'not-a-dir', 'metrix-state.json');
    expect(writeStateSection(path, 'hungStatfs', [1])).toBe(`cannot write state file ${path} (ENOTDIR)`);
    expect(readdirSync(dir)).toEqual(['not-a-dir']);
  });
});
