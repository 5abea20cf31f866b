import { statSync } from 'node:fs';
import { entryMatches, parseKnownHosts, type InvalidLine, type KnownHostEntry } from './known-hosts.js';
import { realDisk, type KnownHostsDisk } from './known-hosts-file.js';

/** One known_hosts file as parsed, with the lines for each host name looked up once. */
export class KnownHostsView {
  readonly #byName = new Map<string, readonly KnownHostEntry[]>();

  constructor(
    readonly exists: boolean,
    readonly entries: readonly KnownHostEntry[],
    readonly invalid: readonly InvalidLine[],
    /** Bytes of the file this view stands for: a different size on disk means someone else wrote. */
    readonly size: number,
    /** Newlines in the file, to number a line appended to it. */
    readonly newlines: number,
  ) {}

  static parse(text: string | undefined): KnownHostsView {
    const { entries, invalid } = parseKnownHosts(text ?? '');
    return new KnownHostsView(text !== undefined, entries, invalid, Buffer.byteLength(text ?? ''), countNewlines(text ?? ''));
  }

  /**
   * The lines that apply to a known_hosts name (see knownHostsName). Hashed lines cost an
   * HMAC each, so the scan is done once per name for the life of this view.
   */
  entriesFor(name: string): readonly KnownHostEntry[] {
    let mine = this.#byName.get(name);
    if (mine === undefined) {
      mine = this.entries.filter((entry) => entryMatches(entry, name));
      this.#byName.set(name, mine);
    }
    return mine;
  }

  /** This view with text appended to the file (as appendKnownHostsLine wrote it). */
  plus(added: string): KnownHostsView {
    const first = this.newlines + 1;
    const more = parseKnownHosts(added);
    const shift = <T extends { readonly line: number }>(item: T): T => ({ ...item, line: item.line + first - 1 });
    const newEntries = more.entries.map(shift);
    const next = new KnownHostsView(
      true,
      [...this.entries, ...newEntries],
      [...this.invalid, ...more.invalid.map(shift)],
      this.size + Buffer.byteLength(added),
      this.newlines + countNewlines(added),
    );
    // Names already looked up only need the new lines checked.
    for (const [name, mine] of this.#byName) next.#byName.set(name, [...mine, ...newEntries.filter((e) => entryMatches(e, name))]);
    return next;
  }
}

function fileIdentity(path: string): string {
  try {
    const stats = statSync(path);
    return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

const countNewlines = (text: string): number => text.split('\n').length - 1;

/**
 * known_hosts files read and parsed once per path for the life of the cache (one run):
 * every host that shares a file shares one parse. Keys pinned through `appended` are seen
 * by later hosts without reading the file again.
 */
export class KnownHostsCache {
  readonly #views = new Map<string, Promise<KnownHostsView>>();
  // What each file was when read: a long-lived process (metrix run) reads an edited file again.
  readonly #identities = new Map<string, string>();

  constructor(private readonly disk: KnownHostsDisk = realDisk) {}

  /** The file as first read in this run (or as updated since). A failed read is not kept. */
  load(path: string): Promise<KnownHostsView> {
    return this.#views.get(path) ?? this.#read(path);
  }

  /**
   * The file as it is now, for a decision that must not rest on a stale view (pinning a key
   * another process may have pinned first). Read again only when its size shows another writer.
   */
  async refresh(path: string): Promise<KnownHostsView> {
    const cached = await this.load(path);
    const size = await this.disk.size(path);
    if (size === (cached.exists ? cached.size : undefined)) return cached;
    return this.#read(path);
  }

  /**
   * Forgets the files changed on disk since they were read (a sysadmin accepted a reinstalled
   * node's new key, or removed a revoked one): metrix run calls it at each cycle.
   */
  dropChanged(): void {
    for (const [path, was] of this.#identities) {
      if (fileIdentity(path) === was) continue;
      this.#views.delete(path);
      this.#identities.delete(path);
    }
  }

  // A read that fails is not kept: the next host tries again rather than inherit the error.
  #read(path: string): Promise<KnownHostsView> {
    this.#identities.set(path, fileIdentity(path));
    const view = this.disk.read(path).then(KnownHostsView.parse);
    this.#views.set(path, view);
    view.catch(() => this.#views.get(path) === view && this.#views.delete(path));
    return view;
  }

  /** Records text this process appended to the file (see appendKnownHostsLine's `written`). */
  appended(path: string, added: string): void {
    const before = this.#views.get(path) ?? Promise.resolve(KnownHostsView.parse(undefined));
    this.#views.set(path, before.then((view) => view.plus(added)));
  }
}
