import os from 'node:os';
import path from 'node:path';
import { MetrixError } from '../errors.js';
import type { ConfigEnv, ResolveOptions } from './context.js';
import { resolveConfig, type ResolveResult } from './resolve.js';
import type { Config } from './types.js';
import { checkLocalPaths } from './local-paths.js';
import { readConfigFile } from './read-file.js';
import { parseXml } from './xml.js';

export type { ConfigEnv, ResolveOptions } from './context.js';

export function defaultConfigEnv(): ConfigEnv {
  return { homeDir: os.homedir(), userName: os.userInfo().username, hostName: os.hostname() };
}

/**
 * Reads, validates and resolves a config file, then checks the local paths it names against
 * the disk; throws one CONFIG error listing every problem found.
 */
export function loadConfig(file: string, env: ConfigEnv = defaultConfigEnv()): Config {
  const absolute = path.resolve(file);
  const config = parseConfig(readConfigFile(absolute), { path: absolute, env });
  const problems = checkLocalPaths(config);
  if (problems.length === 0) return config;
  throw new MetrixError('CONFIG', `${absolute}: ${problemCount(problems.length)} in config`, { details: problems });
}

/** Validates and resolves config text as if read from `options.path`; throws like loadConfig. */
export function parseConfig(text: string, options: ResolveOptions): Config {
  const result = checkConfigText(text, options);
  if (result.ok) return result.config;
  throw new MetrixError('CONFIG', `${options.path}: ${problemCount(result.problems.length)} in config`, { details: result.problems });
}

const problemCount = (count: number): string => `${count} ${count === 1 ? 'problem' : 'problems'}`;

/** Parse and resolve without throwing: the config, or every problem found. */
export function checkConfigText(text: string, options: ResolveOptions): ResolveResult {
  if (text.trim() === '') return { ok: false, problems: ['the file is empty (expected a <metrix> document; `metrix init` writes a commented sample)'] };
  const parsed = parseXml(text);
  return parsed.ok ? resolveConfig(parsed.root, options) : { ok: false, problems: parsed.problems };
}
