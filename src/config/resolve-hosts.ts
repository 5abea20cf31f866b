import { readAttributes } from './attributes.js';
import type { ResolveContext } from './context.js';
import { DEFAULTS_ATTRS, HOST_ATTRS, SSH_ONLY_HOST_ATTRS } from './schema.js';
import { hostAddressProblem } from './host-address.js';
import { describeElement, shownValue } from './shape.js';
import type { Host, Settings } from './types.js';
import type { XmlElement } from './xml.js';

export const HOST_DEFAULTS = {
  port: 22,
  knownHosts: '~/.ssh/known_hosts',
  hostKeyPolicy: 'strict',
  node: 'node',
  transport: 'ssh',
} as const;

/** Hosts in config order, each filled from <defaults>, then the built-in defaults. Hosts without a usable name are left out (already reported). */
export function resolveHosts(
  hostsElement: XmlElement | undefined,
  defaultsElement: XmlElement | undefined,
  settings: Settings,
  context: ResolveContext,
  problems: string[],
): Host[] {
  const defaults = readAttributes(defaultsElement, DEFAULTS_ATTRS, problems);
  const elements = hostsElement?.children.filter((element) => element.name === 'host') ?? [];
  if (!hostsElement) problems.push('<metrix> missing element <hosts> (at least one <host name="..."/> is needed)');
  else if (elements.length === 0) problems.push('<hosts> has no <host> elements (at least one <host name="..."/> is needed)');

  const hosts: Host[] = [];
  for (const element of elements) {
    const attrs = readAttributes(element, HOST_ATTRS, problems);
    if (attrs.name === undefined) continue;
    const transport = attrs.transport ?? HOST_DEFAULTS.transport;
    if (transport === 'local') {
      for (const name of SSH_ONLY_HOST_ATTRS) {
        const raw = element.attributes[name];
        if (raw !== undefined) problems.push(`${describeElement(element)} ${name}="${raw}": only for transport="ssh" (this host is transport="local")`);
      }
    }
    if (transport === 'ssh' && element.attributes.address === undefined) {
      const problem = hostAddressProblem(attrs.name);
      if (problem) problems.push(`${describeElement(element)} name="${shownValue(attrs.name)}": used as the address (no address="..." given), but ${problem}`);
    }
    const identityFile = attrs.identityFile ?? defaults.identityFile;
    hosts.push({
      name: attrs.name,
      transport,
      address: attrs.address ?? attrs.name,
      port: attrs.port ?? defaults.port ?? HOST_DEFAULTS.port,
      user: attrs.user ?? defaults.user ?? context.env.userName,
      identityFile: identityFile === undefined ? undefined : context.localPath(identityFile),
      passphraseEnv: attrs.passphraseEnv ?? defaults.passphraseEnv,
      knownHosts: context.localPath(attrs.knownHosts ?? defaults.knownHosts ?? HOST_DEFAULTS.knownHosts),
      hostKeyPolicy: attrs.hostKeyPolicy ?? defaults.hostKeyPolicy ?? HOST_DEFAULTS.hostKeyPolicy,
      node: attrs.node ?? defaults.node ?? HOST_DEFAULTS.node,
      remoteDir: attrs.remoteDir ?? defaults.remoteDir ?? settings.remoteDir,
      proxyJump: transport === 'local' ? undefined : attrs.proxyJump,
      groups: attrs.groups ?? [],
    });
  }
  return hosts;
}
