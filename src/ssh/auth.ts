import { readFile } from 'node:fs/promises';
import type { Host } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { fail, ok, type Outcome } from '../result.js';
import { parsePrivateKey, type ClientAuth, type PrivateKey } from './client.js';

/**
 * What the SSH layer needs from the environment, passed in by the caller so that nothing
 * here reads process.env: passphrases by variable name, and the ssh-agent socket.
 */
export interface SshSecrets {
  passphrase(envName: string): string | undefined;
  readonly agentSocket: string | undefined;
}

/** Secrets looked up in an environment map, e.g. `secretsFrom(process.env)` at the CLI edge. */
export function secretsFrom(env: Readonly<Record<string, string | undefined>>): SshSecrets {
  const socket = env['SSH_AUTH_SOCK'];
  return { passphrase: (name) => env[name], agentSocket: socket === '' ? undefined : socket };
}

export interface AuthPlan {
  readonly methods: readonly ClientAuth[];
  /** Human-readable list for "tried publickey (/root/.ssh/id_ed25519), agent". */
  readonly tried: readonly string[];
}

/**
 * The identity file first, then the agent. An encrypted key without its passphrase fails
 * clearly, unless an agent is there to try instead (its key is usually the same one, loaded).
 */
export async function planAuth(host: Host, secrets: SshSecrets): Promise<Outcome<AuthPlan>> {
  const methods: ClientAuth[] = [];
  const tried: string[] = [];
  const agent = secrets.agentSocket;
  if (host.identityFile !== undefined) {
    const identity = await loadIdentity(host.identityFile, host, secrets);
    if (identity.ok) {
      methods.push({ type: 'key', key: identity.key });
      tried.push(`publickey (${host.identityFile})`);
    } else if (identity.locked && agent !== undefined) {
      tried.push(`publickey (${host.identityFile}: skipped, encrypted and no passphrase)`);
    } else {
      return fail('auth', identity.message);
    }
  }
  if (agent !== undefined) {
    methods.push({ type: 'agent', socket: agent });
    tried.push(`agent (${agent})`);
  }
  if (methods.length === 0) {
    return fail('auth', `no way to log in to ${host.user}@${host.name}: no identityFile and no ssh-agent (SSH_AUTH_SOCK unset)`);
  }
  return ok({ methods, tried });
}

type Identity =
  | { readonly ok: true; readonly key: PrivateKey }
  | { readonly ok: false; readonly locked: boolean; readonly message: string };

async function loadIdentity(file: string, host: Host, secrets: SshSecrets): Promise<Identity> {
  const refuse = (message: string, locked = false): Identity => ({ ok: false, locked, message });
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    return refuse(`cannot read identity file ${file} for ${host.name}: ${errorMessage(err)}`);
  }
  const plain = parsePrivateKey(data);
  if (plain.ok) return plain;
  if (!plain.needsPassphrase) return refuse(`identity file ${file} for ${host.name} is not a usable private key: ${plain.message}`);
  const envName = host.passphraseEnv;
  if (envName === undefined) {
    return refuse(`identity file ${file} for ${host.name} is encrypted; name the variable holding its passphrase with passphraseEnv`, true);
  }
  const passphrase = secrets.passphrase(envName);
  if (passphrase === undefined || passphrase === '') {
    return refuse(`identity file ${file} for ${host.name} is encrypted and ${envName} is not set`, true);
  }
  const decrypted = parsePrivateKey(data, passphrase);
  if (decrypted.ok) return decrypted;
  return refuse(`cannot decrypt identity file ${file} for ${host.name} with the passphrase in ${envName}: ${decrypted.message}`);
}
