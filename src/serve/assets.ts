import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Files served from the asset directory (the web pages 10b's build puts in dist/web). A
 * request names a file by the raw URL path; it is decoded once, and refused (undefined) when
 * anything in it could step outside the directory: `..` or `.` segments, empty segments, a
 * leading `/`, backslashes, NUL, a `%` left after decoding (double encoding), dotfiles; the
 * real path (symlinks followed) must still lie inside the directory, and be a regular file.
 */
export function assetFile(root: string, rawPath: string): string | undefined {
  if (/[\\\0]/.test(rawPath) || rawPath.length > 512) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (/[\\\0%\r\n]/.test(decoded) || decoded.startsWith('/') || path.isAbsolute(decoded)) return undefined;
  const parts = decoded.split('/');
  if (parts.some((part) => part === '' || part.startsWith('.'))) return undefined;
  let real: string;
  try {
    real = realpathSync(path.join(root, ...parts));
  } catch {
    return undefined;
  }
  if (!real.startsWith(root + path.sep)) return undefined;
  try {
    return statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The asset directory's real path (symlinks resolved once, so the inside check compares like with like); undefined when missing. */
export function assetRoot(dir: string): string | undefined {
  try {
    const real = realpathSync(dir);
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Largest asset served; the pages are small, this bounds what a mistake in the directory costs. */
export const MAX_ASSET_BYTES = 8 * 1024 * 1024;

export function readAsset(file: string): Buffer | undefined {
  const size = statSync(file).size;
  return size > MAX_ASSET_BYTES ? undefined : readFileSync(file);
}
