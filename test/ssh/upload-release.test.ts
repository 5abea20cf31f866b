import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

let farm: Farm;

/** The most connections sshd had open at once, read from its log in order. */
function peakOpen(log: string): number {
  let open = 0;
  let peak = 0;
  for (const line of log.split('\n')) {
    if (line.startsWith('Connection from ')) peak = Math.max(peak, ++open);
    else if (/^(Disconnected from user|Connection closed by) /.test(line)) open--;
  }
  return peak;
}

describe.skipIf(sshdMissing())('upload releases each host when it is done', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 1 });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('one host at a time: never more than one connection open', async () => {
    const dir = tempDir();
    const port = farm.servers[0]!.port;
    const hosts = ['u1', 'u2', 'u3', 'u4']
      .map((name) => `<host name="${name}" address="127.0.0.1" port="${port}" remoteDir="${join(dir, 'remote', name)}"/>`)
      .join('');
    writeFileSync(
      join(dir, 'config.xml'),
      `<metrix><settings concurrency="1" connectTimeout="10s" commandTimeout="20s"/>
       <defaults identityFile="${farm.clientKey.path}" knownHosts="${farm.knownHosts}" node="${process.execPath}"/>
       <hosts>${hosts}</hosts></metrix>`,
    );
    const { code, stderr } = await runCli(dir, ['upload', '-c', join(dir, 'config.xml')]);
    expect({ code, stderr: stderr.match(/ERROR.*/g) ?? [] }).toEqual({ code: 0, stderr: [] });
    await expect.poll(() => farm.servers[0]!.log().match(/^Disconnected from user/gm)?.length ?? 0).toBe(4);
    expect(peakOpen(farm.servers[0]!.log())).toBe(1);
  });
});
