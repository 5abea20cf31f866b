import { describe, expect, test } from 'vitest';
import { doc, problemsOf } from './helpers.js';

const RULE = 'metric="cpu_percent" op="&gt;" value="90"';
const alert = (extra: string): string => doc(`<alerts><alert name="a" ${RULE} ${extra}/></alerts>`);
const host = (attrs: string): string => doc(`<hosts><host name="f4" ${attrs}/></hosts>`);
const mail = (attrs: string): string => doc(`<mail ${attrs}/>`);
const LONG = 'a'.repeat(100_000);

// Issue #7, items 13, 14 and 15: each of these passed `config check` before. One bad value per
// line, and what its one message must say.
const CASES: readonly [string, string, string | RegExp][] = [
  ['commandTimeout past Node\'s timer', doc('<settings commandTimeout="25d"/>'), '<settings> commandTimeout="25d": out of range (allowed: 1s..1h)'],
  ['connectTimeout too short', doc('<settings connectTimeout="10ms"/>'), '<settings> connectTimeout="10ms": out of range (allowed: 1s..1h)'],
  ['retention of ages', doc('<settings retention="999999999w"/>'), '<settings> retention="999999999w": out of range (allowed: 1h..7300d)'],
  ['retention too short', doc('<settings retention="5m"/>'), '<settings> retention="5m": out of range (allowed: 1h..7300d)'],
  ['giveUpAfter too long', mail('giveUpAfter="2000d"'), '<mail> giveUpAfter="2000d": out of range (allowed: 1m..365d)'],
  ['repeat too short', alert('repeat="1ms"'), '<alert name="a"> repeat="1ms": out of range (allowed: 1m..365d)'],
  ['for too long', alert('for="60d"'), '<alert name="a"> for="60d": out of range (allowed: 0..30d)'],
  ['keepFiringFor of ages', alert('keepFiringFor="99999999999w"'), '<alert name="a"> keepFiringFor="99999999999w": out of range (allowed: 0..30d)'],
  ['window holding no sample', alert('window="1ms"'), '<alert name="a"> window="1ms": too short to hold a sample: hosts are polled at most once a minute, so the window would stay empty and the rule never fire; use 0 to decide on the last sample (allowed: 0, or 1m..7d)'],
  ['window under a minute', alert('window="30s"'), '<alert name="a"> window="30s": too short to hold a sample'],
  ['window too long', alert('window="8d"'), '<alert name="a"> window="8d": out of range (allowed: 0, or 1m..7d)'],
  ['NUL by reference in a name', doc('<hosts><host name="a&#0;"/></hosts>'), '<host name="a&#0;"> name="a&#0;": character reference &#0; is U+0000, a control character, not allowed in config values'],
  ['escape by reference', host('user="r&#x1b;[31moot"'), '<host name="f4"> user="r&#x1b;[31moot": character reference &#x1b; is U+001B, a control character'],
  ['newline by reference', host('node="/usr/bin/node&#10;reboot"'), 'character reference &#10; is U+000A, a control character'],
  ['surrogate by reference', host('user="&#xD800;"'), 'character reference &#xD800; is U+D800, a lone surrogate'],
  ['reference beyond Unicode', host('user="&#99999999;"'), 'character reference &#99999999; is a number, beyond Unicode'],
  ['unknown entity', host('user="&nbsp;"'), '<host name="f4"> user="&nbsp;": unknown entity &nbsp; (XML knows &lt; &gt; &amp; &quot; &apos;)'],
  ['literal control character', '<metrix>\n  <hosts><host name="a\u0001"/></hosts></metrix>', 'control character U+0001 at line 2, column 23 (not allowed in a config file)'],
  ['literal ESC', `<metrix><hosts><host name="a" user="\u001b[2J"/></hosts></metrix>`, 'control character U+001B at line 1, column 37'],
  ['shell in an address', host('address="127.0.0.1;touch x"'), '<host name="f4"> address="127.0.0.1;touch x": not a host name, an IPv4 address or an IPv6 address'],
  ['space in an address', host('address="f4 -oProxyCommand=x"'), 'not a host name, an IPv4 address or an IPv6 address'],
  ['IPv4 out of range', host('address="10.0.0.256"'), '<host name="f4"> address="10.0.0.256": not a valid IPv4 address'],
  ['bracketed IPv6', host('address="[::1]"'), 'write the IPv6 address without brackets (did you mean "::1"?)'],
  ['address with a port', host('address="f4.example.org:2222"'), 'a port does not belong here (did you mean "f4.example.org" with port="2222"?)'],
  ['address with an empty label', host('address="f4..example.org"'), 'empty label between dots'],
  ['address label over 63', host(`address="${'b'.repeat(64)}.example.org"`), /address="b{60}\.\.\. \(76 characters\)": label "b{20}\.\.\." is longer than 63 characters/],
  ['address over 253', host(`address="${'abcdefgh.'.repeat(30)}org"`), 'too long for a host name (273 characters; at most 253)'],
  ['mail host as a URL', mail('host="smtp://mail.example.org"'), '<mail> host="smtp://mail.example.org": a URL, not a host (did you mean "mail.example.org"?)'],
  ['mail host as a URL with port', mail('host="smtps://mail.example.org:465/"'), 'a URL, not a host (did you mean "mail.example.org" with port="465"?)'],
  ['mail host with a port', mail('host="mail.example.org:587"'), '<mail> host="mail.example.org:587": a port does not belong here (did you mean "mail.example.org" with port="587"?)'],
  ['100,000-character host name', doc(`<hosts><host name="${LONG}" address="10.0.0.1"/></hosts>`), `<host name="${'a'.repeat(60)}... (100000 characters)"> name="${'a'.repeat(60)}... (100000 characters)": not a safe name (allowed: letters, digits, ".", "_", "-"; at most 128 characters)`],
  ['long rule name', doc(`<alerts><alert name="${'r'.repeat(129)}" ${RULE}/></alerts>`), 'not a safe name'],
  ['host name unusable as address', doc(`<hosts><host name="${'n'.repeat(64)}"/></hosts>`), /name="n{60}\.\.\. \(64 characters\)": used as the address \(no address="\.\.\." given\), but label "n{20}\.\.\." is longer than 63 characters/],
  ['host name of dots as address', doc('<hosts><host name="f4..x"/></hosts>'), '<host name="f4..x"> name="f4..x": used as the address (no address="..." given), but empty label between dots'],
  ['remoteDir /', doc('<settings remoteDir="/"/>'), '<settings> remoteDir="/": a system or shared directory; metrix makes remoteDir private (0700) and keeps the collector there, so give it one of its own (e.g. /metrix)'],
  ['remoteDir /tmp/', host('remoteDir="/tmp/"'), '<host name="f4"> remoteDir="/tmp/": a system or shared directory; metrix makes remoteDir private (0700) and keeps the collector there, so give it one of its own (e.g. /tmp/metrix)'],
  ['remoteDir //usr/./bin', doc('<defaults remoteDir="//usr/./bin"/>'), '<defaults> remoteDir="//usr/./bin": a system or shared directory'],
  ['remoteDir /home', host('remoteDir="/home"'), 'a system or shared directory'],
  ['remoteDir with ..', host('remoteDir="/opt/metrix/../.."'), '<host name="f4"> remoteDir="/opt/metrix/../..": has a ".." part (write the directory it means)'],
];

describe('values out of bounds, one message each', () => {
  test.each(CASES)('%s', (_label, xml, expected) => {
    const problems = problemsOf(xml);
    expect(problems).toHaveLength(1);
    if (typeof expected === 'string') expect(problems[0]).toContain(expected);
    else expect(problems[0]).toMatch(expected);
  });
});

// The edges of what is allowed stay allowed.
describe('values at the bounds pass', () => {
  test.each([
    doc('<settings commandTimeout="1h" connectTimeout="1s" retention="7300d"/>'),
    alert('window="1m" for="30d" keepFiringFor="0" repeat="365d"'),
    alert('window="0"'),
    host('address="::1"'),
    host('address="fe80::1%eth0"'),
    host('address="10.0.0.255"'),
    host('address="f4.example.org."'),
    host('address="node_7.cluster"'),
    host('remoteDir="/tmp/metrix"'),
    host('user="a&amp;b&#233;"'),
    mail('host="mail.example.org" port="587"'),
    doc(`<hosts><host name="${'h'.repeat(63)}"/></hosts>`),
  ])('%s', (xml) => {
    expect(problemsOf(xml)).toEqual([]);
  });
});
