import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { MetrixError, errorMessage } from '../errors.js';
import { decodeConfigBytes } from './encoding.js';
import { formatSize } from './size.js';

/** The largest config file read; a real one with a thousand hosts is well under 200KB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads the config file as UTF-8 text. Opened non-blocking, so a FIFO cannot hang the open;
 * anything but a regular file is refused before a byte is read, and reading stops at
 * MAX_CONFIG_BYTES (a file that grows, or /proc, cannot make it read on forever).
 */
export function readConfigFile(absolute: string): string {
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (run `metrix init` to write a sample, or pass -c <file>)' : '';
    throw new MetrixError('CONFIG', `cannot read config file ${absolute}: ${errorMessage(err)}${hint}`, { cause: err });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new MetrixError('CONFIG', `cannot read config file ${absolute}: ${kindOf(stats)}, not a regular file`);
    const tooBig = (): MetrixError =>
      new MetrixError('CONFIG', `config file ${absolute} is larger than ${formatSize(MAX_CONFIG_BYTES)} (${stats.size} bytes); is it the right file?`);
    if (stats.size > MAX_CONFIG_BYTES) throw tooBig();
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CONFIG_BYTES) throw tooBig();
    const decoded = decodeConfigBytes(buffer.subarray(0, length), absolute);
    if ('problem' in decoded) throw new MetrixError('CONFIG', decoded.problem);
    return decoded.text;
  } catch (err) {
    if (err instanceof MetrixError) throw err;
    throw new MetrixError('CONFIG', `cannot read config file ${absolute}: ${errorMessage(err)}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}
