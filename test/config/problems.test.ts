import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ELEMENTS } from '../../src/config/schema.js';
import { MetrixError } from '../../src/errors.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { doc, ENV, problemsOf } from './helpers.js';

const RULE = 'metric="cpu_percent" op="&gt;" value="90"';
/** A document with one rule named "a": `extra` attributes added to `base`. */
const alert = (extra: string, base = RULE): string => doc(`<alerts><alert name="a" ${base} ${extra}/></alerts>`);
const host = (attrs: string): string => doc(`<hosts><host name="f4" ${attrs}/></hosts>`);
const mail = (attrs: string): string => doc(`<mail ${attrs}/>`);

// One bad config per line: the document, and what its one message must say.
const CASES: readonly [string, string, string | RegExp][] = [
  ['unclosed tag', '<metrix>\n  <hosts>\n    <host name="a">\n  </hosts>\n</metrix>', "malformed XML at line 4, column 3: Expected closing tag 'host'"],
  ['repeated attribute', '<metrix>\n<hosts><host name="a" name="b"/></hosts></metrix>', "malformed XML at line 2, column 23: Attribute 'name' is repeated"],
  ['not XML at all', 'hosts: [f4]', 'malformed XML at line 1, column 1'],
  ['empty file', '  \n', 'the file is empty'],
  ['two roots', '<metrix/><metrix/>', 'more than one root element'],
  ['wrong root', '<metrx><hosts><host name="a"/></hosts></metrx>', 'root element is <metrx>, expected <metrix>'],
  ['attribute on root', '<metrix version="1"><hosts><host name="a"/></hosts></metrix>', '<metrix> unknown attribute "version" (this element takes no attributes)'],
  ['unknown top element', doc('<setting/>'), '<metrix> unknown element <setting> (allowed: settings, defaults, hosts, mail, alerts, heartbeat, web, remoteWrite, checks, logs; did you mean <settings>?)'],
  ['unknown rule element', doc('<alerts><alrt/></alerts>'), '<alerts> unknown element <alrt> (allowed: alert; did you mean <alert>?)'],
  ['child in a leaf', doc('<settings><database>x</database></settings>'), '<settings> unknown element <database> (this element takes no child elements)'],
  ['misspelt attribute', host('adress="10.0.0.4"'), /^<host name="f4"> unknown attribute "adress" \(allowed: name, transport, address, .*; did you mean "address"\?\)$/],
  ['attribute on <hosts>', doc('<hosts user="x"><host name="a"/></hosts>'), '<hosts> unknown attribute "user" (this element takes no attributes)'],
  ['settings twice', doc('<settings/><settings/>'), '<metrix> element <settings> may appear only once (found 2)'],
  ['mail twice', doc('<mail/><mail/><mail/>'), '<metrix> element <mail> may appear only once (found 3)'],
  ['hosts twice', doc('<hosts><host name="a"/></hosts><hosts><host name="b"/></hosts>'), '<metrix> element <hosts> may appear only once (found 2)'],
  ['text in <hosts>', doc('<hosts>oops<host name="a"/></hosts>'), '<hosts> unexpected text "oops" (this element holds only child elements'],
  ['text in a leaf', doc('<hosts><host name="f4">10.0.0.4</host></hosts>'), '<host name="f4"> unexpected text "10.0.0.4" (this element takes attributes only'],
  ['duration without unit', doc('<settings connectTimeout="10"/>'), '<settings> connectTimeout="10": not a duration (expected a number with a unit: 250ms, 30s, 5m, 2h, 7d, 1w)'],
  ['bad rule duration', alert('for="3x"'), '<alert name="a"> for="3x": not a duration (expected a number with a unit: 250ms, 30s, 5m, 2h, 7d, 1w)'],
  ['negative window', alert('window="-5m"'), '<alert name="a"> window="-5m": not a duration'],
  ['zero timeout', doc('<settings commandTimeout="0s"/>'), '<settings> commandTimeout="0s": must be longer than 0'],
  ['zero repeat', alert('repeat="0"'), '<alert name="a"> repeat="0": must be longer than 0'],
  ['concurrency 0', doc('<settings concurrency="0"/>'), '<settings> concurrency="0": out of range (allowed: 1..1000)'],
  ['concurrency words', doc('<settings concurrency="ten"/>'), '<settings> concurrency="ten": not an integer (allowed: 1..1000)'],
  ['port too big', host('port="70000"'), '<host name="f4"> port="70000": out of range (allowed: 1..65535)'],
  ['fractional port', doc('<defaults port="22.5"/>'), '<defaults> port="22.5": not an integer (allowed: 1..65535)'],
  ['bad size', doc('<settings maxOutput="1XB"/>'), '<settings> maxOutput="1XB": not a size (expected a number with a unit: 512KB, 1MB, 10MB)'],
  ['bad host key policy', doc('<defaults hostKeyPolicy="yes"/>'), '<defaults> hostKeyPolicy="yes": not allowed (allowed: strict, accept-new)'],
  ['bad transport', host('transport="sftp"'), '<host name="f4"> transport="sftp": not allowed (allowed: ssh, local)'],
  ['bad severity', alert('severity="warn"'), '<alert name="a"> severity="warn": not allowed (allowed: info, warning, critical; did you mean "warning"?)'],
  ['bad boolean', alert('sendResolved="yes"'), '<alert name="a"> sendResolved="yes": not allowed (allowed: true, false)'],
  ['bad op', alert('', 'metric="load1" op="gt" value="9"'), '<alert name="a"> op="gt": not allowed (allowed: >, >=, <, <=, ==, !=)'],
  ['value not a number', alert('', 'metric="load1" op="&gt;" value="ninety"'), '<alert name="a"> value="ninety": not a number'],
  ['value hex', alert('', 'metric="load1" op="&gt;" value="0x5A"'), '<alert name="a"> value="0x5A": not a number'],
  ['empty value', host('address=""'), '<host name="f4"> address="": empty value (expected a host name, an IPv4 address or an IPv6 address)'],
  ['host without name', doc('<hosts><host name="a"/><host address="10.0.0.9"/></hosts>'), '<host #2> missing required attribute "name"'],
  ['rule without metric', doc('<alerts><alert name="a" op="&gt;" value="1"/></alerts>'), '<alert name="a"> missing required attribute "metric"'],
  ['rule without op', doc('<alerts><alert name="a" metric="load1" value="1"/></alerts>'), '<alert name="a"> missing required attribute "op"'],
  ['rule without value', doc('<alerts><alert name="a" metric="load1" op="&gt;"/></alerts>'), '<alert name="a"> missing required attribute "value"'],
  ['unsafe host name', doc('<hosts><host name="f4;reboot"/></hosts>'), '<host name="f4;reboot"> name="f4;reboot": not a safe name (allowed: letters, digits, ".", "_", "-"; at most 128 characters)'],
  ['unsafe group name', host('groups="compute,gpu nodes"'), '<host name="f4"> groups="compute,gpu nodes": "gpu nodes" is not a safe name'],
  ['duplicate host', doc('<hosts><host name="f4"/><host name="f5"/><host name="f4"/></hosts>'), '<hosts> host name "f4" appears 2 times (host names must be unique)'],
  ['duplicate rule', doc('<alerts><alert name="x" metric="load1" op="&gt;" value="1"/><alert name="x" metric="load5" op="&gt;" value="1"/></alerts>'), '<alerts> alert name "x" appears 2 times'],
  ['unknown metric', alert('', 'metric="cpu_pct" op="&gt;" value="90"'), /^<alert name="a"> metric="cpu_pct": unknown metric \(known: cpu_percent, cpu_iowait_percent, .*; did you mean "cpu_percent"\?\)$/],
  ['raw counter metric', alert('', 'metric="net_rx_bytes_total" op="&gt;" value="1"'), '<alert name="a"> metric="net_rx_bytes_total": a raw counter since boot, not usable in a rule'],
  ['unknown label', alert('labels="mnt=/"', 'metric="disk_used_percent" op="&gt;" value="90"'), '<alert name="a"> labels="mnt=/": unknown label "mnt" (allowed for disk_used_percent: mount; did you mean "mount"?)'],
  ['label on a plain metric', alert('labels="mount=/"'), '<alert name="a"> labels="mount=/": unknown label "mount" (cpu_percent has no labels)'],
  ['label without value', alert('labels="mount"'), '<alert name="a"> labels="mount": not a label list (expected name=value,name2=value2)'],
  ['rule on unknown host', alert('hosts="f4,f9"'), '<alert name="a"> hosts="f4,f9": unknown host "f9" (hosts: f4, f5; did you mean "f4"?)'],
  ['rule on unknown group', alert('groups="gpus"'), '<alert name="a"> groups="gpus": unknown group "gpus" (groups: compute, gpu; did you mean "gpu"?)'],
  ['group with none defined', doc('<hosts><host name="a"/></hosts><alerts><alert name="r" metric="load1" op="&gt;" value="1" groups="gpu"/></alerts>'), 'unknown group "gpu" (no groups defined'],
  ['clear on the firing side', alert('clear="95"'), '<alert name="a"> clear="95": must be at most value="90" for op=">"'],
  ['clear below for <', alert('clear="80"', 'metric="cpu_percent" op="&lt;" value="90"'), '<alert name="a"> clear="80": must be at least value="90" for op="<"'],
  ['clear with ==', alert('clear="1"', 'metric="host_up" op="==" value="0"'), '<alert name="a"> clear="1": not allowed with op="=="'],
  ['bad rule recipient', alert('to="gpu-admins"'), '<alert name="a"> to="gpu-admins": "gpu-admins" is not an email address (expected name@domain)'],
  ['proxyJump to nowhere', host('proxyJump="bastion"'), '<host name="f4"> proxyJump="bastion": unknown host (hosts: f4)'],
  ['proxyJump to itself', host('proxyJump="f4"'), '<host name="f4"> proxyJump="f4": a host cannot jump through itself'],
  ['proxyJump to a local host', doc('<hosts><host name="me" transport="local"/><host name="f4" proxyJump="me"/></hosts>'), '<host name="f4"> proxyJump="me": "me" is a local host'],
  ['proxyJump loop', doc('<hosts><host name="a" proxyJump="b"/><host name="b" proxyJump="c"/><host name="c" proxyJump="a"/></hosts>'), '<host name="a"> proxyJump="b": jump hosts form a loop (a -> b -> c -> a)'],
  ['local host with ssh settings', doc('<hosts><host name="me" transport="local" user="root"/></hosts>'), '<host name="me"> user="root": only for transport="ssh" (this host is transport="local")'],
  ['passphrase without key', host('passphraseEnv="KEY_PASS"'), '<host name="f4"> passphraseEnv="KEY_PASS": set but no identityFile'],
  ['no <hosts>', '<metrix><settings/></metrix>', '<metrix> missing element <hosts>'],
  ['empty <hosts>', '<metrix><hosts/></metrix>', '<hosts> has no <host> elements'],
  ['relative remoteDir', doc('<settings remoteDir="metrix"/>'), '<settings> remoteDir="metrix": not an absolute path'],
  ['relative host remoteDir', host('remoteDir="~/metrix"'), '<host name="f4"> remoteDir="~/metrix": not an absolute path'],
  ['other user home', host('identityFile="~bob/.ssh/id"'), '<host name="f4"> identityFile="~bob/.ssh/id": only "~" and "~/..." are expanded'],
  ['bad env name', mail('host="smtp" user="m" passwordEnv="SMTP-PW"'), '<mail> passwordEnv="SMTP-PW": not an environment variable name'],
  ['smtp without host', mail('transport="smtp"'), '<mail> transport="smtp" needs host="..."'],
  ['smtp user without password', mail('host="smtp.example.org" user="metrix"'), '<mail> user="metrix" needs passwordEnv="..."'],
  ['smtp password without user', mail('host="smtp.example.org" passwordEnv="PW"'), '<mail> passwordEnv="PW" needs user="..."'],
  ['smtp setting on file mail', mail('transport="file" security="tls"'), '<mail> security="tls": only for transport="smtp"'],
  ['dir on smtp mail', mail('host="smtp.example.org" dir="./outbox"'), '<mail> dir="./outbox": only for transport="file"'],
  ['bad recipient', mail('to="ops@example.org, oncall"'), '<mail> to="ops@example.org, oncall": "oncall" is not an email address (expected name@domain)'],
  ['bad sender', mail('from="metrix at example.org"'), '<mail> from="metrix at example.org": not an email address'],
  ['bad security', mail('host="smtp.example.org" security="ssl"'), '<mail> security="ssl": not allowed (allowed: none, starttls, tls)'],
  // One per attribute not covered above: "every attribute of the schema" below fails without them.
  ['other user home database', doc('<settings database="~bob/metrix.db"/>'), '<settings> database="~bob/metrix.db": only "~" and "~/..." are expanded'],
  ['blank keys', doc('<settings keys=" "/>'), '<settings> keys="": empty value (expected a file path)'],
  ['retention in words', doc('<settings retention="30 days"/>'), '<settings> retention="30 days": not a duration'],
  ['roll-ups kept shorter than raw samples', doc('<settings retention="60d" rollupRetention="30d"/>'), '<settings> rollupRetention="30d": shorter than retention="60d" (5-minute roll-ups stand in for raw samples once those are removed, so they must be kept at least as long)'],
  ['hourly shorter than 5-minute', doc('<settings rollupRetention="400d" hourlyRetention="300d"/>'), '<settings> hourlyRetention="300d": shorter than rollupRetention="400d" (hourly roll-ups stand in for 5-minute ones once those are removed)'],
  ['an alert window raw samples cannot fill', doc('<settings retention="1d"/><alerts><alert name="slow" metric="load1" op="&gt;" value="1" window="2d"/></alerts>'), '<alert name="slow"> window="2d": longer than <settings retention="1d"> (raw samples older than that are removed, so the average would cover only 1d)'],
  ['maxSamples too small', doc('<settings maxSamples="10"/>'), '<settings> maxSamples="10": out of range (allowed: 100..1000000)'],
  ['empty default user', doc('<defaults user=""/>'), '<defaults> user="": empty value (expected a value)'],
  ['other user home default key', doc('<defaults identityFile="~bob/.ssh/id"/>'), '<defaults> identityFile="~bob/.ssh/id": only "~" and "~/..." are expanded'],
  ['default env name with a digit first', doc('<defaults passphraseEnv="1PASS"/>'), '<defaults> passphraseEnv="1PASS": not an environment variable name'],
  ['other user home known_hosts', doc('<defaults knownHosts="~bob/.ssh/known_hosts"/>'), '<defaults> knownHosts="~bob/.ssh/known_hosts": only "~" and "~/..." are expanded'],
  ['blank default node', doc('<defaults node=" "/>'), '<defaults> node="": empty value (expected a value)'],
  ['relative default remoteDir', doc('<defaults remoteDir="metrix"/>'), '<defaults> remoteDir="metrix": not an absolute path'],
  ['other user home host known_hosts', host('knownHosts="~bob/kh"'), '<host name="f4"> knownHosts="~bob/kh": only "~" and "~/..." are expanded'],
  ['bad host key policy on a host', host('hostKeyPolicy="ask"'), '<host name="f4"> hostKeyPolicy="ask": not allowed (allowed: strict, accept-new)'],
  ['empty node on a host', host('node=""'), '<host name="f4"> node="": empty value (expected a value)'],
  ['mail host as a URL', mail('host="smtp://mail.example.org"'), '<mail> host="smtp://mail.example.org": a URL, not a host (did you mean "mail.example.org"?)'],
  ['mail port 0', mail('host="mail.example.org" port="0"'), '<mail> port="0": out of range (allowed: 1..65535)'],
  ['other user home caFile', mail('host="mail.example.org" caFile="~bob/ca.pem"'), '<mail> caFile="~bob/ca.pem": only "~" and "~/..." are expanded'],
  ['giveUpAfter in words', mail('giveUpAfter="forever"'), '<mail> giveUpAfter="forever": not a duration'],
  ['mail timeout without unit', mail('host="mail.example.org" timeout="10"'), '<mail> timeout="10": not a duration'],
  ['unsafe rule name', doc('<alerts><alert name="high cpu" metric="cpu_percent" op="&gt;" value="90"/></alerts>'), '<alert name="high cpu"> name="high cpu": not a safe name'],
  ['keepFiringFor in words', alert('keepFiringFor="5 min"'), '<alert name="a"> keepFiringFor="5 min": not a duration'],
  ['heartbeat to an ftp URL', doc('<heartbeat url="ftp://hc.example.org/t0ken"/>'), '<heartbeat> url="ftp://hc.example.org/…": scheme "ftp" not allowed (allowed: http, https)'],
  ['unsafe check name', doc('<checks><check name="my check" command="true"/></checks>'), '<check name="my check"> name="my check": not a safe name'],
  ['blank check command', doc('<checks><check name="c" command=" "/></checks>'), '<check name="c"> command="": empty value (expected a value)'],
  ['check every in words', doc('<checks><check name="c" command="true" every="hourly"/></checks>'), '<check name="c"> every="hourly": not a duration'],
  ['check timeout past the poll', doc('<checks><check name="c" command="true" timeout="30s"/></checks>'), '<check name="c"> timeout="30s": must be at most 28s'],
  ['check on an unknown host', doc('<checks><check name="c" command="true" hosts="f9"/></checks>'), '<check name="c"> hosts="f9": unknown host "f9"'],
  ['check on an unknown group', doc('<checks><check name="c" command="true" groups="gpus"/></checks>'), '<check name="c"> groups="gpus": unknown group "gpus"'],
  ['unsafe log name', doc('<logs><log name="a/b" path="/x" match="y"/></logs>'), '<log name="a/b"> name="a/b": not a safe name'],
  ['relative log path', doc('<logs><log name="l" path="x.log" match="y"/></logs>'), '<log name="l"> path="x.log": must be an absolute path on the hosts'],
  ['log pattern with a backreference', doc('<logs><log name="l" path="/x" match="(a)\\1"/></logs>'), '<log name="l"> match="(a)\\1": uses a backreference'],
  ['log ignoreCase yes', doc('<logs><log name="l" path="/x" match="y" ignoreCase="yes"/></logs>'), '<log name="l"> ignoreCase="yes": not allowed (allowed: true, false)'],
  ['log on an unknown host', doc('<logs><log name="l" path="/x" match="y" hosts="f9"/></logs>'), '<log name="l"> hosts="f9": unknown host "f9"'],
  ['log on an unknown group', doc('<logs><log name="l" path="/x" match="y" groups="gpus"/></logs>'), '<log name="l"> groups="gpus": unknown group "gpus"'],
  ['heartbeat every without unit', doc('<heartbeat url="https://hc.example.org/t0ken" every="5"/>'), '<heartbeat> every="5": not a duration'],
  ['heartbeat timeout too long', doc('<heartbeat url="https://hc.example.org/t0ken" timeout="5m"/>'), '<heartbeat> timeout="5m": out of range (allowed: 1s..1m)'],
  ['web listen without a port', doc('<web listen="0.0.0.0"/>'), '<web> listen="0.0.0.0": expected HOST:PORT'],
  ['web listen on a port past 65535', doc('<web listen="127.0.0.1:70000"/>'), '<web> listen="127.0.0.1:70000": port 70000 out of range'],
  ['web listen on a URL', doc('<web listen="https://monitor:8443"/>'), '<web> listen="https://monitor:8443": expected HOST:PORT'],
  ['web cert without key', doc('<web cert="/etc/metrix/tls.crt"/>'), '<web>: give both cert and key'],
  ['other user home web cert', doc('<web cert="~bob/tls.crt" key="/k"/>'), '<web> cert="~bob/tls.crt": only "~" and "~/..." are expanded'],
  ['web key empty', doc('<web cert="/c" key=""/>'), '<web> key="": empty value'],
  ['web insecure yes', doc('<web insecure="yes"/>'), '<web> insecure="yes": not allowed (allowed: true, false)'],
  ['web hosts with a URL', doc('<web hosts="https://monitor.example.org"/>'), '<web> hosts="https://monitor.example.org": "https://monitor.example.org": not a host name'],
  ['remote write to a file URL', doc('<remoteWrite url="file:///tmp/push"/>'), '<remoteWrite> url="file:///…": scheme "file" not allowed (allowed: http, https)'],
  ['remote write timeout in words', doc('<remoteWrite url="https://mimir.example.org/push" timeout="soon"/>'), '<remoteWrite> timeout="soon": not a duration'],
  ['remote write token env with a dash', doc('<remoteWrite url="https://mimir.example.org/push" bearerTokenEnv="MIMIR-TOKEN"/>'), '<remoteWrite> bearerTokenEnv="MIMIR-TOKEN": not an environment variable name'],
  ['remote write empty user', doc('<remoteWrite url="https://mimir.example.org/push" user="" passwordEnv="P"/>'), '<remoteWrite> user="": empty value (expected a value)'],
  ['remote write password env with a space', doc('<remoteWrite url="https://mimir.example.org/push" user="u" passwordEnv="MY PASS"/>'), '<remoteWrite> passwordEnv="MY PASS": not an environment variable name'],
  ['other user home remote write caFile', doc('<remoteWrite url="https://mimir.example.org/push" caFile="~bob/ca.pem"/>'), '<remoteWrite> caFile="~bob/ca.pem": only "~" and "~/..." are expanded'],
  ['remote write queue too small', doc('<remoteWrite url="https://mimir.example.org/push" maxQueued="5"/>'), '<remoteWrite> maxQueued="5": out of range (allowed: 100..1000000000)'],
  ['remote write labels not a list', doc('<remoteWrite url="https://mimir.example.org/push" labels="jinr"/>'), '<remoteWrite> labels="jinr": not a label list (expected name=value,name2=value2)'],
];

/** The element and attribute a problem is about: `<host name="f4"> port="70000": …` is host, port. */
const ABOUT_ATTRIBUTE = /^<(\w+)(?: [^>]*)?> (\w+)="/;

describe('one mistake, one message', () => {
  test.each(CASES)('%s', async (_label, xml, expected) => {
    const problems = problemsOf(xml);
    expect(problems).toHaveLength(1);
    if (typeof expected === 'string') expect(problems[0]).toContain(expected);
    else expect(problems[0]).toMatch(expected);
    // What a sysadmin sees: metrix config check exits 2 with that message, and no stack trace.
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.xml'), xml);
    const run = await runCli(dir, ['config', 'check']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `metrix: ${path.join(dir, 'config.xml')}: 1 problem in config\n  ${problems[0]}\n` });
  });
});

describe('every attribute of the schema has a bad-value case above', () => {
  // Read from what the cases report, not from their labels: a case counts for the attribute its message names.
  const covered = new Set(
    CASES.flatMap(([, xml]) => problemsOf(xml))
      .map((problem) => ABOUT_ATTRIBUTE.exec(problem))
      .flatMap((match) => (match ? [`<${match[1]} ${match[2]}>`] : [])),
  );
  const attributes = Object.entries(ELEMENTS).flatMap(([element, spec]) => Object.keys(spec.attributes).map((attr) => `<${element} ${attr}>`));

  test('the schema has attributes to check', () => {
    expect(attributes).toContain('<host address>');
  });

  test.each(attributes)('%s', (attribute) => {
    expect(covered.has(attribute), `no case in CASES gives a problem about ${attribute}`).toBe(true);
  });
});

describe('several mistakes', () => {
  const xml = doc(`
    <settings concurrency="0" retention="30 days"/>
    <hosts><host name="f4" adress="10.0.0.4"/><host name="f5" transport="sftp"/></hosts>
    <mail transport="smtp"/>
    <alerts>
      <alert name="high-cpu" metric="cpu_pct" op="&gt;" value="90" for="3x"/>
      <alrt name="typo"/>
    </alerts>`);

  test('are all reported together', () => {
    expect(problemsOf(xml)).toEqual([
      expect.stringContaining('<host name="f4"> unknown attribute "adress"'),
      expect.stringContaining('<alerts> unknown element <alrt>'),
      '<settings> concurrency="0": out of range (allowed: 1..1000)',
      expect.stringContaining('<settings> retention="30 days": not a duration'),
      '<host name="f5"> transport="sftp": not allowed (allowed: ssh, local)',
      expect.stringContaining('<mail> transport="smtp" needs host='),
      expect.stringContaining('<alert name="high-cpu"> for="3x": not a duration'),
      expect.stringContaining('<alert name="high-cpu"> metric="cpu_pct": unknown metric'),
    ]);
  });

  test('loadConfig throws one CONFIG error listing them all', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'metrix-config-'));
    const file = path.join(dir, 'config.xml');
    writeFileSync(file, xml);
    const error = catchError(() => loadConfig(file, ENV));
    expect(error).toBeInstanceOf(MetrixError);
    expect(error.code).toBe('CONFIG');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`${file}: 8 problems in config`);
    expect(error.details).toHaveLength(8);
    expect(error.details.join('\n')).toContain('did you mean "address"?');
  });

  test('one problem reads in the singular', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'metrix-config-'));
    const file = path.join(dir, 'config.xml');
    writeFileSync(file, '<metrix><hosts/></metrix>');
    expect(catchError(() => loadConfig(file, ENV)).message).toBe(`${file}: 1 problem in config`);
  });
});

describe('an unreadable file', () => {
  test('is one CONFIG error naming the path', () => {
    const file = path.join(os.tmpdir(), 'metrix-no-such-dir', 'config.xml');
    const error = catchError(() => loadConfig(file, ENV));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain(`cannot read config file ${file}`);
    expect(error.message).toContain('metrix init');
    expect(error.details).toEqual([]);
  });

  test('a directory is refused too', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'metrix-config-'));
    expect(catchError(() => loadConfig(dir, ENV)).message).toContain(`cannot read config file ${dir}`);
  });
});

function catchError(fn: () => unknown): MetrixError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MetrixError) return err;
    throw err;
  }
  throw new Error('expected a MetrixError');
}
