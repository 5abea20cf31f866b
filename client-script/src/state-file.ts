import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'fs';
import { randomBytes } from 'crypto';
import { basename, dirname, join } from 'path';

// What the collector remembers between polls (--state), one named section per concern:
//   {"v": 1, "sections": {"hungStatfs": [...], ...}}
// The file is a convenience, never a reason to fail a poll: one that is unreadable, corrupt,
// too big, of another version or not this user's own is ignored, and replaced at the next write.

export const STATE_VERSION = 1;
/** Far above what the capped sections need; a bigger file is not ours. */
export const MAX_STATE_BYTES = 1024 * 1024;

export type Sections = Record<string, unknown>;

export type ParsedState = { readonly sections: Sections } | { readonly problem: string };

interface Loaded {
  readonly sections: Sections;
  readonly file: 'absent' | 'ignored' | 'accepted';
}

// A prototype-less record: a section read from the file may be named "__proto__".
const emptySections = (): Sections => Object.create(null) as Sections;

export function parseState(text: string): ParsedState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON' };
  }
  const file = json as { v?: unknown; sections?: unknown } | null;
  if (typeof file !== 'object' || file === null || Array.isArray(file)) return { problem: 'not a JSON object' };
  if (file.v !== STATE_VERSION) return { problem: `version ${JSON.stringify(file.v)}, not ${STATE_VERSION}` };
  const read = file.sections;
  if (typeof read !== 'object' || read === null || Array.isArray(read)) return { problem: 'no "sections" object' };
  const sections = emptySections();
  for (const name of Object.keys(read)) sections[name] = (read as Sections)[name];
  return { sections };
}

export function renderState(sections: Sections): string {
  return `${JSON.stringify({ v: STATE_VERSION, sections }, null, 2)}\n`;
}

/** The accepted text of the state file, or why it was ignored. */
function readOwnFile(path: string): { text: string } | { ignored: string } | undefined {
  let fd: number;
  try {
    // No following a planted symlink, no blocking on a planted FIFO.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : { ignored: code || String(err) };
  }
  try {
    const stats = fstatSync(fd);
    const uid = typeof process.getuid === 'function' ? process.getuid() : stats.uid;
    if (!stats.isFile()) return { ignored: 'not a regular file' };
    if (stats.uid !== uid) return { ignored: `owned by uid ${stats.uid}` };
    if ((stats.mode & 0o022) !== 0) return { ignored: 'writable by others' };
    if (stats.size > MAX_STATE_BYTES) return { ignored: `larger than ${MAX_STATE_BYTES} bytes` };
    // One byte more than fstat said tells a file that grew meanwhile: someone else writes it.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > stats.size) return { ignored: 'grew while read' };
    return { text: buffer.toString('utf8', 0, length) };
  } catch (err) {
    return { ignored: (err as NodeJS.ErrnoException).code || String(err) };
  } finally {
    closeSync(fd);
  }
}

function load(path: string): Loaded {
  const read = readOwnFile(path);
  if (read === undefined) return { sections: emptySections(), file: 'absent' };
  const parsed = 'text' in read ? parseState(read.text) : { problem: read.ignored };
  if ('problem' in parsed) return { sections: emptySections(), file: 'ignored' };
  return { sections: parsed.sections, file: 'accepted' };
}

/** A section as last written, or undefined when there is none (or no usable state file). */
export function readStateSection(path: string, name: string): unknown {
  return load(path).sections[name];
}

/**
 * Replaces one section (undefined removes it) and keeps the others. The file is rewritten
 * only when what it says changes (or it was ignored), through a 0600 temporary file renamed into place, so a reader
 * never sees half a file. Synchronous from read to rename, so two collectors of one process
 * cannot interleave and lose each other's section. Returns why it could not be written.
 */
export function writeStateSection(path: string, name: string, value: unknown): string | undefined {
  const before = load(path);
  const sections = emptySections();
  for (const key of Object.keys(before.sections)) sections[key] = before.sections[key];
  if (value === undefined) delete sections[name];
  else sections[name] = value;
  // Compared as data, so a file laid out by another hand but saying the same is left alone.
  if (before.file === 'accepted' && JSON.stringify(sections) === JSON.stringify(before.sections)) return undefined;
  if (before.file === 'absent' && Object.keys(sections).length === 0) return undefined;
  return replaceFile(path, renderState(sections));
}

function replaceFile(path: string, text: string): string | undefined {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    writeFileSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
    return undefined;
  } catch (err) {
    if (fd !== undefined) closeQuietly(fd);
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed.
    }
    return `cannot write state file ${path} (${(err as NodeJS.ErrnoException).code || String(err)})`;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The write already failed; that is what gets reported.
  }
}
