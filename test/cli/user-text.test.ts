import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

describe('user text in tables', () => {
  it('shows a silence comment with a newline and terminal escapes on its one row', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="localhost" transport="local"/></hosts></metrix>');
    const comment = 'kernel update\n2  *  *  fake row\u001b[2J\u001b]0;title\u0007';
    const added = await runCli(dir, ['silence', 'add', '-h', 'localhost', '--for', '2h', '--comment', comment]);
    expect(added.code).toBe(0);

    const list = await runCli(dir, ['silence', 'list']);
    const lines = list.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^1\s+localhost\s+\*\s+.*kernel update\\n2  \*  \*  fake row\\x1b\[2J\\x1b\]0;title\\x07$/);
    // JSON keeps the text as it was typed: JSON.stringify escapes it already.
    expect(JSON.parse((await runCli(dir, ['silence', 'list', '--json'])).stdout)[0].comment).toBe(comment);
  });
});
