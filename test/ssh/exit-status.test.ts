import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { burnCpu, type CpuBurners } from '../farm/cpu-burner.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing } from '../farm/sshd.js';
import { makeTransport, noSecrets } from './helpers.js';

let farm: Farm;
let burners: CpuBurners;

const SERVERS = 10;
const HOSTS_PER_SERVER = 2;
const ROUNDS = 10;

// Fast commands whose exit-status arrives right behind the exec reply: with the CPU busy
// both land in one read, and a listener attached a tick later misses the status.
const COMMANDS: readonly { readonly argv: readonly string[]; readonly exitCode: number; readonly stdout: string }[] = [
  { argv: ['true'], exitCode: 0, stdout: '' },
  { argv: ['sh', '-c', 'exit 3'], exitCode: 3, stdout: '' },
  { argv: ['echo', 'x'], exitCode: 0, stdout: 'x\n' },
];

describe.skipIf(sshdMissing())('exit status of fast commands on a busy machine', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: SERVERS });
    burners = burnCpu(2);
  });
  afterAll(async () => {
    burners?.stop();
    await farm?.stop();
  });

  it('every one of 200 parallel runs on 10 sshd gets its exit code', { timeout: 120_000 }, async () => {
    const hosts: Host[] = farm.servers.flatMap((server, s) =>
      Array.from({ length: HOSTS_PER_SERVER }, (_, h) => farm.host(`fast${s}-${h}`, server)),
    );
    const { transport } = makeTransport(hosts, noSecrets, 30_000);
    const runs = hosts.flatMap((host) =>
      Array.from({ length: ROUNDS }, (_, round) => ({ host, command: COMMANDS[round % COMMANDS.length]! })),
    );
    const limits = { timeoutMs: 60_000, maxOutputBytes: 1024 };
    const outcomes = await Promise.all(runs.map(({ host, command }) => transport.runCommand(host, command.argv, limits)));
    await transport.close();
    const seen = outcomes.map((o) => (o.ok ? { exitCode: o.value.exitCode, stdout: o.value.stdout } : o.failure.message));
    expect(seen).toHaveLength(200);
    expect(seen).toEqual(runs.map(({ command }) => ({ exitCode: command.exitCode, stdout: command.stdout })));
  });
});
