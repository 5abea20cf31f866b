import path from 'node:path';

/** What resolution needs from the machine, passed in so tests control it. */
export interface ConfigEnv {
  readonly homeDir: string;
  readonly userName: string;
  readonly hostName: string;
}

export interface ResolveOptions {
  /** Absolute path of the config file; relative paths inside resolve against its directory. */
  readonly path: string;
  readonly env: ConfigEnv;
}

/** Shared by the resolve steps: the machine facts and how a local path from the file becomes absolute. */
export interface ResolveContext {
  readonly env: ConfigEnv;
  readonly localPath: (value: string) => string;
}

export function makeContext(options: ResolveOptions): ResolveContext {
  const baseDir = path.dirname(options.path);
  return { env: options.env, localPath: (value) => resolveLocalPath(value, baseDir, options.env.homeDir) };
}

/**
 * A local path from the config made absolute: `~` and `~/...` expand to the home directory,
 * relative paths resolve against the config file's directory (cron runs from anywhere).
 */
export function resolveLocalPath(value: string, baseDir: string, homeDir: string): string {
  if (value === '~') return path.resolve(homeDir);
  if (value.startsWith('~/')) return path.resolve(homeDir, value.slice(2));
  return path.resolve(baseDir, value);
}
