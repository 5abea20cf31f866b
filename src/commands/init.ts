import { existsSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { sampleConfig } from '../config/sample.js';
import { KeyStore } from '../crypto/key-store.js';
import type { Io } from '../cli/io.js';

export interface InitOptions {
  readonly config: string;
  readonly force?: boolean;
  readonly newKeys?: boolean;
}

/** `metrix init`: a commented sample config (kept if one exists, unless --force) and the poller keys. */
export function init(options: InitOptions, io: Io): number {
  if (existsSync(options.config) && !options.force) {
    io.out(`${options.config} exists; kept it (--force overwrites it with the sample)\n`);
  } else {
    writeFileSync(options.config, sampleConfig());
    io.out(`wrote ${options.config}: a commented sample; edit hosts, mail and alerts, then run "metrix config check"\n`);
  }
  const config = loadConfig(options.config);
  const { createdPollerKey } = KeyStore.init(config.settings.keysDir, options.newKeys ?? false);
  io.out(
    createdPollerKey
      ? `created the poller key pair in ${config.settings.keysDir} (0600 files in a 0700 directory)${options.newKeys ? '; the old key was kept beside it as poller.key.*.old: run "metrix upload" to every host now' : ''}\n`
      : `keys in ${config.settings.keysDir} kept (--new-keys replaces the poller key; every host then needs "metrix upload")\n`,
  );
  return 0;
}
