import { checkConfigText, type ConfigEnv } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';

export const ENV: ConfigEnv = { homeDir: '/home/alice', userName: 'alice', hostName: 'master.example.org' };
export const CONFIG_PATH = '/etc/metrix/config.xml';

const DEFAULT_HOSTS = '<hosts><host name="f4" address="10.0.0.4" groups="compute"/><host name="f5" groups="compute,gpu"/></hosts>';

/** A minimal valid document around `inner`; the default hosts are added unless `inner` has its own <hosts>. */
export function doc(inner = ''): string {
  return `<metrix>${inner.includes('<hosts') ? '' : DEFAULT_HOSTS}${inner}</metrix>`;
}

export function problemsOf(xml: string): readonly string[] {
  const result = checkConfigText(xml, { path: CONFIG_PATH, env: ENV });
  return result.ok ? [] : result.problems;
}

export function configOf(xml: string, path = CONFIG_PATH, env: ConfigEnv = ENV): Config {
  const result = checkConfigText(xml, { path, env });
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.join('\n')}`);
  return result.config;
}
