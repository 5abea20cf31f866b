import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultConfigEnv, loadConfig } from '../../src/config/load.js';
import { configOf, doc, ENV } from './helpers.js';

const ONE_HOST = '<hosts><host name="f4"/></hosts>';

describe('defaults', () => {
  test('settings are filled in', () => {
    expect(configOf(doc()).settings).toEqual({
      concurrency: 20,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 30_000,
      database: '/etc/metrix/metrix.db',
      keysDir: '/etc/metrix/keys',
      remoteDir: '/tmp/metrix',
      retentionMs: 30 * 86_400_000,
      rollupRetentionMs: 365 * 86_400_000,
      hourlyRetentionMs: 1825 * 86_400_000,
      maxOutputBytes: 1024 * 1024,
      maxSamples: 5000,
    });
  });

  test('settings given are read with their units', () => {
    const settings = configOf(doc('<settings concurrency="5" connectTimeout="2500ms" commandTimeout="2m" retention="1w" maxOutput="512KB" remoteDir="/opt/m"/>')).settings;
    expect(settings).toMatchObject({ concurrency: 5, connectTimeoutMs: 2500, commandTimeoutMs: 120_000, retentionMs: 7 * 86_400_000, maxOutputBytes: 512 * 1024, remoteDir: '/opt/m' });
  });

  test.each([
    ['<settings/>', 365, 1825],
    ['<settings retention="400d"/>', 400, 1825],
    ['<settings retention="7300d"/>', 7300, 7300],
    ['<settings rollupRetention="2000d"/>', 2000, 2000],
    ['<settings retention="7d" rollupRetention="90d" hourlyRetention="730d"/>', 90, 730],
  ])('roll-up retentions of %s: a tier left at its default is kept as long as the finer one', (settings, rollupDays, hourlyDays) => {
    expect(configOf(doc(settings)).settings).toMatchObject({ rollupRetentionMs: rollupDays * 86_400_000, hourlyRetentionMs: hourlyDays * 86_400_000 });
  });

  test('a bare host gets every default', () => {
    expect(configOf(doc(ONE_HOST)).hosts).toEqual([
      {
        name: 'f4',
        transport: 'ssh',
        address: 'f4',
        port: 22,
        user: 'alice',
        identityFile: undefined,
        passphraseEnv: undefined,
        knownHosts: '/home/alice/.ssh/known_hosts',
        hostKeyPolicy: 'strict',
        node: 'node',
        remoteDir: '/tmp/metrix',
        proxyJump: undefined,
        groups: [],
      },
    ]);
  });

  test('<defaults> apply to every host, and a host overrides them', () => {
    const config = configOf(doc(`
      <settings remoteDir="/var/tmp/metrix"/>
      <defaults user="monitor" port="2200" identityFile="~/.ssh/id_ed25519" passphraseEnv="KEY_PASS"
                knownHosts="/etc/ssh/ssh_known_hosts" hostKeyPolicy="accept-new" node="/opt/node/bin/node" remoteDir="/opt/metrix"/>
      <hosts>
        <host name="f4"/>
        <host name="f5" address="10.0.0.5" port="22" user="root" identityFile="keys/f5" passphraseEnv="F5_PASS"
              knownHosts="kh" hostKeyPolicy="strict" node="node18" remoteDir="/srv/metrix" groups="compute"/>
      </hosts>`));
    const [f4, f5] = config.hosts;
    expect(f4).toMatchObject({
      address: 'f4', user: 'monitor', port: 2200, identityFile: '/home/alice/.ssh/id_ed25519', passphraseEnv: 'KEY_PASS',
      knownHosts: '/etc/ssh/ssh_known_hosts', hostKeyPolicy: 'accept-new', node: '/opt/node/bin/node', remoteDir: '/opt/metrix',
    });
    expect(f5).toMatchObject({
      address: '10.0.0.5', user: 'root', port: 22, identityFile: '/etc/metrix/keys/f5', passphraseEnv: 'F5_PASS',
      knownHosts: '/etc/metrix/kh', hostKeyPolicy: 'strict', node: 'node18', remoteDir: '/srv/metrix', groups: ['compute'],
    });
  });

  test('a local host and a jump through a bastion resolve', () => {
    const config = configOf(doc('<hosts><host name="me" transport="local" groups="all"/><host name="bastion" address="gw.example.org"/><host name="f4" proxyJump="bastion" groups="all"/></hosts>'));
    expect(config.hosts.map((h) => [h.name, h.transport, h.proxyJump])).toEqual([
      ['me', 'local', undefined],
      ['bastion', 'ssh', undefined],
      ['f4', 'ssh', 'bastion'],
    ]);
  });
});

describe('paths', () => {
  test('relative paths resolve against the config file directory, ~ against home', () => {
    const config = configOf(
      doc(`<settings database="data/metrix.db" keys="../keys"/>
           <defaults knownHosts="~"/>
           <hosts><host name="f4" identityFile="~/.ssh/f4"/><host name="f5" identityFile="/abs/key" knownHosts="./kh"/></hosts>
           <mail dir="outbox/mail"/>`),
      '/srv/metrix/conf/config.xml',
      { ...ENV, homeDir: '/users/ops' },
    );
    expect(config.path).toBe('/srv/metrix/conf/config.xml');
    expect(config.settings.database).toBe('/srv/metrix/conf/data/metrix.db');
    expect(config.settings.keysDir).toBe('/srv/metrix/keys');
    expect(config.hosts[0]).toMatchObject({ identityFile: '/users/ops/.ssh/f4', knownHosts: '/users/ops' });
    expect(config.hosts[1]).toMatchObject({ identityFile: '/abs/key', knownHosts: '/srv/metrix/conf/kh' });
    expect(config.mail).toMatchObject({ transport: 'file', dir: '/srv/metrix/conf/outbox/mail' });
  });

  test('loadConfig resolves against the file read, not the working directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'metrix-config-'));
    mkdirSync(path.join(dir, 'etc'));
    const file = path.join(dir, 'etc', 'config.xml');
    writeFileSync(file, doc('<settings database="./m.db" keys="keys"/><mail transport="smtp" host="smtp.example.org" caFile="ca.pem"/>'));
    const config = loadConfig(file, ENV);
    expect(config.path).toBe(file);
    expect(config.settings.database).toBe(path.join(dir, 'etc', 'm.db'));
    expect(config.settings.keysDir).toBe(path.join(dir, 'etc', 'keys'));
    expect(config.mail).toMatchObject({ caFile: path.join(dir, 'etc', 'ca.pem') });
  });

  test('remoteDir is kept as written', () => {
    expect(configOf(doc('<hosts><host name="f4" remoteDir="/opt//metrix/"/></hosts>')).hosts[0]?.remoteDir).toBe('/opt//metrix/');
  });
});

describe('groups', () => {
  test('map groups in order of first mention to hosts in config order', () => {
    const config = configOf(doc('<hosts><host name="a" groups="gpu,compute"/><host name="b" groups="compute"/><host name="c" groups="gpu, gpu"/><host name="d"/></hosts>'));
    expect([...config.groups.entries()]).toEqual([
      ['gpu', ['a', 'c']],
      ['compute', ['a', 'b']],
    ]);
    expect(config.hosts[2]?.groups).toEqual(['gpu']);
  });
});

describe('mail', () => {
  test('without <mail>, files in <configdir>/outbox from metrix@<hostname> to root@localhost', () => {
    expect(configOf(doc()).mail).toEqual({ transport: 'file', dir: '/etc/metrix/outbox', from: 'metrix@master.example.org', to: ['root@localhost'], giveUpAfterMs: 2 * 86_400_000 });
  });

  test('a host makes it SMTP with STARTTLS on 587', () => {
    expect(configOf(doc('<mail host="smtp.example.org" from="Metrix &lt;metrix@example.org&gt;" to="ops@example.org, oncall@example.org"/>')).mail).toEqual({
      transport: 'smtp',
      host: 'smtp.example.org',
      port: 587,
      security: 'starttls',
      user: undefined,
      passwordEnv: undefined,
      caFile: undefined,
      from: 'Metrix <metrix@example.org>',
      to: ['ops@example.org', 'oncall@example.org'],
      giveUpAfterMs: 2 * 86_400_000,
      timeoutMs: 30_000,
    });
  });

  test('giveUpAfter sets how long the outbox keeps trying', () => {
    expect(configOf(doc('<mail giveUpAfter="6h"/>')).mail.giveUpAfterMs).toBe(6 * 3_600_000);
  });

  test.each([
    ['security="none"', 'none', 25],
    ['security="starttls"', 'starttls', 587],
    ['security="tls"', 'tls', 465],
    ['port="465"', 'tls', 465],
    ['port="2525"', 'starttls', 2525],
    ['security="none" port="2525"', 'none', 2525],
  ])('%s gives security %s on port %i', (attrs, security, port) => {
    expect(configOf(doc(`<mail host="smtp.example.org" ${attrs}/>`)).mail).toMatchObject({ transport: 'smtp', security, port });
  });

  test('login names the password variable', () => {
    expect(configOf(doc('<mail transport="smtp" host="smtp.example.org" user="metrix" passwordEnv="METRIX_SMTP_PASSWORD"/>')).mail).toMatchObject({
      user: 'metrix',
      passwordEnv: 'METRIX_SMTP_PASSWORD',
    });
  });
});

describe('alerts', () => {
  test('a minimal rule gets the defaults', () => {
    expect(configOf(doc('<alerts><alert name="load" metric="load5" op="&gt;=" value="16"/></alerts>')).alerts).toEqual([
      {
        name: 'load',
        metric: 'load5',
        labels: {},
        op: '>=',
        value: 16,
        windowMs: 0,
        forMs: 0,
        keepFiringForMs: 0,
        clear: undefined,
        repeatMs: 4 * 3_600_000,
        severity: 'warning',
        sendResolved: true,
        hosts: [],
        groups: [],
        to: undefined,
      },
    ]);
  });

  test('every attribute is read', () => {
    const [rule] = configOf(doc(`<alerts>
      <alert name="disk-full" metric="disk_used_percent" labels="mount=/, " op="&gt;" value="90.5" window="5m" for="3m"
             keepFiringFor="2m" clear="80" repeat="12h" severity="critical" sendResolved="false" hosts="f4,f5"
             groups="compute" to="ops@example.org,disk@example.org"/>
    </alerts>`)).alerts;
    expect(rule).toEqual({
      name: 'disk-full',
      metric: 'disk_used_percent',
      labels: { mount: '/' },
      op: '>',
      value: 90.5,
      windowMs: 300_000,
      forMs: 180_000,
      keepFiringForMs: 120_000,
      clear: 80,
      repeatMs: 12 * 3_600_000,
      severity: 'critical',
      sendResolved: false,
      hosts: ['f4', 'f5'],
      groups: ['compute'],
      to: ['ops@example.org', 'disk@example.org'],
    });
  });

  test.each([
    ['&lt;', '<'],
    ['&lt;=', '<='],
    ['==', '=='],
    ['!=', '!='],
    ['>', '>'],
  ])('op="%s" reads as %s', (written, op) => {
    expect(configOf(doc(`<alerts><alert name="r" metric="host_up" op="${written}" value="0" window="0"/></alerts>`)).alerts[0]?.op).toBe(op);
  });

  test('rules keep config order', () => {
    const names = configOf(doc('<alerts><alert name="z" metric="load1" op="&gt;" value="1"/><alert name="a" metric="load1" op="&gt;" value="2"/></alerts>')).alerts.map((r) => r.name);
    expect(names).toEqual(['z', 'a']);
  });
});

describe('the XML itself', () => {
  test('declaration, comments, CDATA-free whitespace and entities are handled', () => {
    const config = configOf(`<?xml version="1.0" encoding="UTF-8"?>
      <!-- top comment -->
      <metrix>
        <!-- <hosts><host name="ignored"/></hosts> -->
        <hosts>
          <host name="f4" user="a&amp;b&#x41;&#66;&lt;&gt;&quot;&apos;"/> <!-- trailing comment -->
        </hosts>
      </metrix>`);
    expect(config.hosts.map((h) => [h.name, h.user])).toEqual([['f4', 'a&bAB<>"\'']]);
  });
});

test('defaultConfigEnv reads the machine', () => {
  const env = defaultConfigEnv();
  expect(env.homeDir).toBe(os.homedir());
  expect(env.userName).toBe(os.userInfo().username);
  expect(env.hostName).toBe(os.hostname());
});
