import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MetrixError, errorMessage } from '../errors.js';
import type { ConfigEnv, ResolveOptions } from './context.js';
import { resolveConfig, type ResolveResult } from './resolve.js';
import type { Config } from './types.js';
import { parseXml } from './xml.js';

export type { ConfigEnv, ResolveOptions } from './context.js';

export function defaultConfigEnv(): ConfigEnv {
  return { homeDir: os.homedir(), userName: os.userInfo().username, hostName: os.hostname() };
}

/** Reads, validates and resolves a config file; throws one CONFIG error listing every problem found. */
export function loadConfig(file: string, env: ConfigEnv = defaultConfigEnv()): Config {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (run `metrix init` to write a sample, or pass -c <file>)' : '';
    throw new MetrixError('CONFIG', `cannot read config file ${absolute}: ${errorMessage(err)}${hint}`, { cause: err });
  }
  return parseConfig(text, { path: absolute, env });
}

/** Validates and resolves config text as if read from `options.path`; throws like loadConfig. */
export function parseConfig(text: string, options: ResolveOptions): Config {
  const result = checkConfigText(text, options);
  if (result.ok) return result.config;
  const count = result.problems.length;
  throw new MetrixError('CONFIG', `${options.path}: ${count} ${count === 1 ? 'problem' : 'problems'} in config`, { details: result.problems });
}

/** Parse and resolve without throwing: the config, or every problem found. */
export function checkConfigText(text: string, options: ResolveOptions): ResolveResult {
  if (text.trim() === '') return { ok: false, problems: ['the file is empty (expected a <metrix> document; `metrix init` writes a commented sample)'] };
  const parsed = parseXml(text);
  return parsed.ok ? resolveConfig(parsed.root, options) : { ok: false, problems: [parsed.problem] };
}
