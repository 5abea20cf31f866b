import type { Io } from '../cli/io.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { usageError } from '../errors.js';
import { csvLines, OUTPUT_FORMATS, textTable, type OutputFormat } from '../query/format.js';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, newToken, tokenHash } from '../serve/passwords.js';
import { tightenDatabaseMode } from '../store/database.js';
import { Store } from '../store/store.js';
import type { UserRole, UserStore } from '../store/user-store.js';
import { formatUtc } from '../text/time.js';

const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const ROLES: readonly UserRole[] = ['viewer', 'admin'];

function checkName(name: string): string {
  if (!USER_NAME.test(name)) throw usageError(`user name "${name}": letters, digits, ".", "_", "@", "-" only, at most 64 characters`);
  return name;
}

function withUsers<T>(config: Config, use: (users: UserStore) => T, readonly = false): T {
  const store = Store.open(config.settings.database, { readonly });
  try {
    return use(store.users);
  } finally {
    store.close();
  }
}

/** `metrix user add NAME --role viewer|admin`: the password from piped stdin, or typed without echo. Adding a user that exists sets a new password and role. */
export async function userAdd(options: { readonly config: string; readonly name: string; readonly role: string }, io: Io): Promise<number> {
  const config = loadConfig(options.config);
  const name = checkName(options.name);
  const role = options.role as UserRole;
  if (!ROLES.includes(role)) throw usageError(`--role "${options.role}": expected one of ${ROLES.join(', ')}`);
  if (!io.readSecret) throw usageError('no input to read a password from');
  const password = await io.readSecret(`password for ${name}: `);
  if (password.length < MIN_PASSWORD_LENGTH) throw usageError(`password too short: at least ${MIN_PASSWORD_LENGTH} characters (nothing was changed)`);
  if (password.length > MAX_PASSWORD_LENGTH) throw usageError(`password too long: at most ${MAX_PASSWORD_LENGTH} characters (nothing was changed)`);
  const hash = await hashPassword(password);
  const added = withUsers(config, (users) => users.put(name, role, hash, io.clock()));
  for (const note of tightenDatabaseMode(config.settings.database)) io.err(`metrix: note: ${note}\n`);
  io.out(`user ${name} ${added ? 'added' : 'updated'} (${role})\n`);
  return 0;
}

/** `metrix user remove NAME`: the user and every token of it. */
export function userRemove(options: { readonly config: string; readonly name: string }, io: Io): number {
  const config = loadConfig(options.config);
  const name = checkName(options.name);
  if (!withUsers(config, (users) => users.remove(name))) throw usageError(`no user "${name}" (see metrix user list)`);
  io.out(`user ${name} removed, with its tokens\n`);
  return 0;
}

/** `metrix user list`: names, roles and live token counts; never a hash. */
export function userList(options: { readonly config: string; readonly format: string; readonly json?: boolean }, io: Io): number {
  const config = loadConfig(options.config);
  const format = (options.json ? 'json' : options.format) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw usageError(`--format "${options.format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  const list = withUsers(config, (users) => users.list(), true);
  const header = ['user', 'role', 'tokens', 'created'];
  const rows = list.map((u) => [u.name, u.role, String(u.tokens), formatUtc(u.createdAt)]);
  if (format === 'json') io.out(`${JSON.stringify(list, null, 2)}\n`);
  else if (format === 'csv') io.out(csvLines([header, ...rows]));
  else if (list.length === 0) io.err('no users yet (metrix user add NAME --role viewer|admin)\n');
  else io.out(textTable(header, rows, new Set([2])));
  return 0;
}

/** `metrix user token NAME`: a new bearer token, printed once (only its hash is kept). */
export function userToken(options: { readonly config: string; readonly name: string }, io: Io): number {
  const config = loadConfig(options.config);
  const name = checkName(options.name);
  const token = newToken();
  const id = withUsers(config, (users) => {
    const user = users.find(name);
    if (!user) throw usageError(`no user "${name}" (see metrix user list)`);
    return users.addToken(user.id, tokenHash(token), io.clock());
  });
  io.out(`${token}\n`);
  io.err(`token #${id} for ${name}: shown this once, keep it secret (send it as "Authorization: Bearer ..."); metrix user revoke ${name} ends it\n`);
  return 0;
}

/** `metrix user revoke NAME [--id N]`: ends the user's tokens (all, or one). */
export function userRevoke(options: { readonly config: string; readonly name: string; readonly id?: string }, io: Io): number {
  const config = loadConfig(options.config);
  const name = checkName(options.name);
  const id = options.id === undefined ? undefined : /^\d{1,15}$/.test(options.id) ? Number(options.id) : NaN;
  if (Number.isNaN(id)) throw usageError(`--id "${options.id}": expected a token number, as printed by metrix user token`);
  const revoked = withUsers(config, (users) => {
    const user = users.find(name);
    if (!user) throw usageError(`no user "${name}" (see metrix user list)`);
    return users.revokeTokens(user.id, io.clock(), id);
  });
  if (id !== undefined && revoked === 0) throw usageError(`no live token #${id} of ${name}`);
  io.out(`${revoked} token${revoked === 1 ? '' : 's'} of ${name} revoked\n`);
  return 0;
}
