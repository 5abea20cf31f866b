import { describe, expect, it } from 'vitest';
import { specForHost } from '../../src/checks/spec-for-host.js';
import { formatConfig } from '../../src/config/format.js';
import { configOf, doc, problemsOf } from '../config/helpers.js';

const checks = (inner: string): string => doc(`<checks>${inner}</checks>`);
const logs = (inner: string): string => doc(`<logs>${inner}</logs>`);

describe('<checks> and <logs> in config.xml', () => {
  it('resolves defaults (every 5m, timeout 10s, all hosts, case-sensitive) and selects hosts like rules do', () => {
    const config = configOf(
      doc(`<hosts><host name="f4" groups="compute"/><host name="g1" groups="gpu"/><host name="m"/></hosts>
        <checks>
          <check name="slurmd" command="/usr/lib/nagios/plugins/check_procs -c 1: -C slurmd" groups="compute"/>
          <check name="all" command="true" every="1m" timeout="5s"/>
          <check name="m-only" command="true" hosts="m"/>
        </checks>
        <logs><log name="kernel" path="/var/log/kern.log" match="Out of memory|I/O error" groups="gpu" hosts="m"/></logs>`),
    );
    expect(config.checks[0]).toEqual({ name: 'slurmd', command: '/usr/lib/nagios/plugins/check_procs -c 1: -C slurmd', everyMs: 300_000, timeoutMs: 10_000, hosts: [], groups: ['compute'] });
    expect(config.logs[0]).toMatchObject({ name: 'kernel', ignoreCase: false });
    const names = (host: string) => {
      const spec = specForHost(config, config.hosts.find((h) => h.name === host)!);
      return spec && [...spec.checks.map((c) => c.name), ...spec.logs.map((l) => l.name)];
    };
    expect(names('f4')).toEqual(['slurmd', 'all']);
    expect(names('g1')).toEqual(['all', 'kernel']);
    expect(names('m')).toEqual(['all', 'm-only', 'kernel']);
  });

  it('sends no spec to a host with no checks or logs', () => {
    const config = configOf(doc('<checks><check name="c" command="true" hosts="f4"/></checks>'));
    expect(specForHost(config, config.hosts.find((h) => h.name === 'f5')!)).toBeUndefined();
  });

  it.each([
    [checks('<check name="a" command="true"/><check name="a" command="false"/>'), '<checks> check name "a" appears 2 times (check names must be unique)'],
    [logs('<log name="l" path="/a" match="x"/><log name="l" path="/b" match="y"/>'), '<logs> log name "l" appears 2 times (log names must be unique)'],
    [checks('<check name="a" command="true" hosts="nope"/>'), '<check name="a"> hosts="nope": unknown host "nope" (hosts: f4, f5)'],
    [logs('<log name="l" path="/a" match="x" groups="gpux"/>'), '<log name="l"> groups="gpux": unknown group "gpux" (groups: compute, gpu; did you mean "gpu"?)'],
    [checks('<check name="a" command="true" timeout="29s"/>'), '<check name="a"> timeout="29s": must be at most 28s, inside <settings commandTimeout="30s"> less 2s the poll keeps to answer'],
    [checks('<check name="a" command="true" every="0s"/>'), '<check name="a"> every="0s": must be longer than 0 (allowed: 1s..1d)'],
    [checks('<check name="a" command="true" timeout="1h"/>'), '<check name="a"> timeout="1h": out of range (allowed: 1s..10m)'],
    [checks('<check name="a" command="a&#10;b"/>'), '<check name="a"> command="a&#10;b": character reference &#10; is U+000A, a control character, not allowed in config values'],
    [checks(`<check name="a" command="${'x'.repeat(2049)}"/>`), expect.stringMatching(/^<check name="a"> command="x+\.\.\. \(2049 characters\)": must be one line of at most 2048 characters$/)],
    [checks('<check name="a"/>'), '<check name="a"> missing required attribute "command"'],
    [logs('<log name="l" path="var/log/x" match="x"/>'), '<log name="l"> path="var/log/x": must be an absolute path on the hosts, at most 1024 characters'],
    [logs('<log name="l" path="/x" match="(a+)+$"/>'), '<log name="l"> match="(a+)+$": repeats a group ("(...)*", "(...)+", "(...){n,m}"), which can take exponential time on a hostile line; repeat single characters or classes instead'],
    [logs('<log name="l" path="/x" match="sshd.*Failed.*root"/>'), '<log name="l"> match="sshd.*Failed.*root": can take too long on a hostile line (its repeats and alternatives allow ~1.3e+8 tries on a 512-character line, at most 2.6e+7): use at most one wide repeat (*, +, {n,}) and few narrow ones (?, {n,m}, (a|b))'],
    [logs('<log name="l" path="/x" match="[oops"/>'), expect.stringMatching(/^<log name="l"> match="\[oops": is not a regular expression \(/)],
    [logs('<log name="l" path="/x" match="x" ignoreCase="yes"/>'), '<log name="l"> ignoreCase="yes": not allowed (allowed: true, false)'],
    [doc('<checks><log name="l" path="/x" match="x"/></checks>'), expect.stringMatching(/^<checks> unknown element <log> \(allowed: check/)],
  ])('reports %s', (xml, problem) => {
    expect(problemsOf(xml)).toContainEqual(problem);
  });

  it('accepts a check timeout up to commandTimeout less the margin', () => {
    expect(problemsOf(doc('<settings commandTimeout="10s"/><checks><check name="a" command="true" timeout="8s"/></checks>'))).toEqual([]);
    expect(problemsOf(doc('<settings commandTimeout="10s"/><checks><check name="a" command="true" timeout="9s"/></checks>'))).toHaveLength(1);
  });

  it('refuses more checks on one host than the collector runs', () => {
    const many = Array.from({ length: 65 }, (_, i) => `<check name="c${i}" command="true"/>`).join('');
    expect(problemsOf(checks(many))).toEqual(['<host name="f4">: 65 checks apply, over 64', '<host name="f5">: 65 checks apply, over 64']);
  });

  it('lists checks and logs in metrix config check, and nothing about them when there are none', () => {
    const config = configOf(doc('<checks><check name="ntp" command="check_ntp_time -H pool.ntp.org" every="10m" groups="compute"/></checks><logs><log name="k" path="/var/log/kern.log" match="oom" ignoreCase="true" hosts="f4"/></logs>'));
    expect(formatConfig(config)).toContain(
      'checks (1)\n  ntp: every 10m, timeout 10s, scope groups=compute: check_ntp_time -H pool.ntp.org\n\nlogs (1)\n  k: /var/log/kern.log match /oom/i, scope hosts=f4\n',
    );
    expect(formatConfig(configOf(doc()))).not.toMatch(/checks|logs/);
  });
});
