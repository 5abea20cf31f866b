import { describe, expect, test } from 'vitest';
import { formatConfig, formatRule } from '../../src/config/format.js';
import { configOf, doc } from './helpers.js';

const RICH = doc(`
  <settings concurrency="8" maxOutput="512KB"/>
  <defaults user="monitor"/>
  <hosts>
    <host name="localhost" transport="local"/>
    <host name="bastion" address="gw.example.org"/>
    <host name="f4" address="10.0.0.4" groups="compute,gpu" proxyJump="bastion"/>
    <host name="f5" address="10.0.0.5" port="2222" user="root" groups="compute" hostKeyPolicy="accept-new" identityFile="/k/f5"/>
  </hosts>
  <mail transport="smtp" host="smtp.example.org" user="metrix" passwordEnv="METRIX_SMTP_PASSWORD"
        from="metrix@example.org" to="ops@example.org, oncall@example.org"/>
  <alerts>
    <alert name="high-cpu" metric="cpu_percent" op="&gt;" value="90" window="5m" for="3m" groups="compute"/>
    <alert name="host-down" metric="host_up" op="==" value="0"/>
  </alerts>`);

describe('formatConfig', () => {
  const out = formatConfig(configOf(RICH));
  const lines = out.split('\n');

  test('lists hosts with transport, user@address:port, groups and proxyJump', () => {
    expect(lines).toContain('hosts (4)');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}localhost +local +\(this machine\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}f4 +ssh +monitor@10\.0\.0\.4:22 +groups=compute,gpu proxyJump=bastion key=ssh-agent/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}f5 +ssh +root@10\.0\.0\.5:2222 +groups=compute hostKeyPolicy=accept-new key=\/k\/f5/));
  });

  test('lists groups with their hosts', () => {
    expect(lines).toContain('  compute: f4, f5');
    expect(lines).toContain('  gpu: f4');
  });

  test('shows where mail goes and which variable holds the password', () => {
    expect(lines).toContain('  smtp: smtp.example.org:587 security=starttls, login metrix, password from $METRIX_SMTP_PASSWORD');
    expect(lines).toContain('  from metrix@example.org to ops@example.org, oncall@example.org');
  });

  test('shows each rule on one line', () => {
    expect(lines).toContain('  high-cpu: avg(cpu_percent, 5m) > 90 for 3m [warning] scope groups=compute');
    expect(lines).toContain('  host-down: last(host_up) == 0 [warning] scope all hosts');
  });

  test('shows settings with units', () => {
    expect(out).toContain('concurrency 8, connectTimeout 10s, commandTimeout 30s, retention 30d, maxOutput 512KB');
    expect(out).toContain('  database  /etc/metrix/metrix.db');
  });

  test('file mail names its directory', () => {
    expect(formatConfig(configOf(doc()))).toContain('  file: one .eml per message in /etc/metrix/outbox');
  });
});

describe('formatConfig: metrix serve\'s <web>', () => {
  test('says where serve listens, with TLS or not, and which names it answers to; says so when there is none', () => {
    const web = formatConfig(configOf(doc('<web listen="0.0.0.0:8443" cert="/etc/metrix/tls.crt" key="/etc/metrix/tls.key" hosts="monitor.example.org"/>'))).split('\n');
    expect(web[web.indexOf('web') + 1]).toBe('  https://0.0.0.0:8443, certificate /etc/metrix/tls.crt, key /etc/metrix/tls.key, names monitor.example.org');
    const plain = formatConfig(configOf(doc('<web listen="[::1]:9090"/>'))).split('\n');
    expect(plain[plain.indexOf('web') + 1]).toBe('  http://[::1]:9090');
    const none = formatConfig(configOf(doc(''))).split('\n');
    expect(none[none.indexOf('web') + 1]).toBe('  none (metrix serve listens on 127.0.0.1:8080 unless told by its flags)');
  });
});

describe('formatRule', () => {
  const rule = (attrs: string): string => {
    const [first] = configOf(doc(`<alerts><alert name="r" ${attrs}/></alerts>`)).alerts;
    if (!first) throw new Error('no rule');
    return formatRule(first);
  };

  test.each([
    ['metric="load1" op="&gt;" value="16"', 'r: last(load1) > 16 [warning] scope all hosts'],
    ['metric="disk_used_percent" labels="mount=/" op="&gt;=" value="95" window="10m" severity="critical"', 'r: avg(disk_used_percent{mount=/}, 10m) >= 95 [critical] scope all hosts'],
    ['metric="cpu_percent" op="&gt;" value="90" keepFiringFor="2m" clear="80" hosts="f4,f5"', 'r: last(cpu_percent) > 90 keepFiringFor 2m clear 80 [warning] scope hosts=f4,f5'],
    ['metric="host_up" op="==" value="0" repeat="1h" sendResolved="false" to="a@b.c"', 'r: last(host_up) == 0 [warning] scope all hosts repeat 1h no resolved mail to a@b.c'],
    ['metric="mem_percent" op="&lt;" value="5" hosts="f4" groups="gpu" severity="info"', 'r: last(mem_percent) < 5 [info] scope hosts=f4 groups=gpu'],
  ])('%s', (attrs, expected) => {
    expect(rule(attrs)).toBe(expected);
  });
});
