/**
 * Live updates: watches the articles folder and applies each new, changed, renamed or deleted file to
 * the index. Writes are let to settle before a file is read, and a file that no longer parses keeps its
 * last good version in the index.
 *
 * Node's `fs.watch` on the folder is used rather than chokidar: the folder is flat, so one inotify
 * watch sees every change, and it needs no initial scan — chokidar stats every file before it reports
 * anything, which measured here took over 10 s for 10,000 files, while changes went unseen.
 *
 * The folder is watched from before the load (`watchFolder`): loading 100k files takes seconds, and a
 * file written meanwhile, after the load had read it or its folder listing, would otherwise go unseen
 * until it changed again. Events of that window are held and handed to the watcher when it starts;
 * reading a file again that did not change after all costs one stat (its stamp matches the index).
 *
 * An inotify watch follows the folder it was given, not its path: after `rm -rf articles && mkdir
 * articles`, or a deploy that moves a new folder into place, it would see nothing more, silently. So
 * the path is checked every `FOLDER_CHECK_MS`: when another folder is there, it is watched instead
 * and compared file by file with what is served (every name it holds and every file the index holds
 * is looked at again, which costs a stat where nothing changed); while none is, what was loaded is
 * served. Each is one log line. The folder's real path is taken again then (a deploy that swaps a
 * symbolic link, `articles -> releases/2/articles`, replaces it too: links within the new folder and its
 * media are judged against the new folder), its media folder is watched, and every article showing a
 * local image is read again.
 */
import { existsSync, lstatSync, readdirSync, realpathSync, watch, statSync, type FSWatcher } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { MEDIA_DIR } from './media.ts';
import type { ArticleIndex } from './article-index.ts';
import type { ContentStore } from './content.ts';
import { articlePath, isArticleFileName, readArticleFile, type ReadOptions } from './files.ts';
import { toMeta, type ArticleParseError } from './types.ts';
import type { MetaCache } from './load.ts';

/** What the watcher reports, for the log. */
export interface WatchEvents {
  updated?: (file: string, kind: 'added' | 'changed' | 'removed') => void;
  rejected?: (error: ArticleParseError, keptLastGood: boolean) => void;
  warning?: (warning: ArticleParseError) => void;
  failed?: (error: Error) => void;
  /** The folder went, or another took its place (see the module comment). */
  folder?: (message: string) => void;
}

/** A running watcher. */
export interface ArticleWatcher {
  close(): void;
}

type FolderListener = {
  article: (name: string) => void;
  media: (local: string) => void;
  failed: (error: Error) => void;
  /** The folder went, or another took its place (then `rescan` follows). */
  folder: (message: string) => void;
  /** Every file may have changed: look at each again. */
  rescan: () => void;
};

/** How often the folder's path is checked for another folder in its place, in ms. */
export const FOLDER_CHECK_MS = 1000;

/** The folder's inotify watches, started before the index exists; see the module comment. */
export interface FolderWatch {
  /** Hands every event held so far to `listener`, then each new one as it comes. Once only. */
  listen(listener: FolderListener): void;
  close(): void;
}

/** Starts watching `dir` (and its media folder, if it exists now), holding the events until `listen`. */
export function watchFolder(dir: string): FolderWatch {
  // Held events: names only, each at most once, so the hold is bounded by the folder's file count.
  const held = { articles: new Set<string>(), media: new Set<string>(), errors: [] as Error[], notices: [] as string[], rescan: false };
  let listener: FolderListener | undefined;
  const failed = (error: Error) => (listener ? listener.failed(error) : held.errors.push(error));
  const self = basename(dir);
  const start = () => {
    const started = watch(dir, { persistent: false }, (_event, name) => {
      // The folder itself removed or moved away: look at the path now rather than at the next check.
      if (name === self) {
        moved = true;
        setTimeout(checkFolder, 50).unref();
      }
      if (!name || !isArticleFileName(name)) return;
      if (listener) listener.article(name);
      else held.articles.add(name);
    });
    started.on('error', failed);
    return started;
  };
  let watcher: FSWatcher = start();
  // The folder's identity: its inode and its birth time (a folder made after one was deleted often
  // gets the same inode number), so another folder at the path is told apart (see the module comment).
  const inodeAt = () => {
    try {
      const found = statSync(dir);
      return found.isDirectory() ? `${found.ino}:${found.birthtimeMs}` : undefined;
    } catch {
      return undefined;
    }
  };
  let inode = inodeAt();
  let gone = false;
  /** The watch saw the folder itself go: what is at the path now is watched anew, even if it looks the same. */
  let moved = false;
  const notice = (message: string) => (listener ? listener.folder(message) : held.notices.push(message));
  function checkFolder() {
    const now = inodeAt();
    if (now === undefined) {
      if (!gone) notice(`${dir} is gone: serving what was loaded until a folder is there again`);
      gone = true;
      return;
    }
    // Back after being gone, or after the watch saw the folder go, is another folder whatever its
    // identity: the old watch died with the old folder.
    if (now === inode && !gone && !moved) return;
    moved = false;
    notice(`${dir} is ${gone ? 'back' : 'another folder'}: watching it and reading again what changed`);
    gone = false;
    inode = now;
    watcher.close();
    watcher = start();
    // The media folder inside it is another one too.
    mediaWatcher?.close();
    mediaWatcher = undefined;
    watchMedia();
    if (listener) listener.rescan();
    else held.rescan = true;
  }
  const mediaDir = join(dir, MEDIA_DIR);
  const mediaEvent = (local: string) => (listener ? listener.media(local) : held.media.add(local));
  /** The media folder's watch (recursive: it may have subfolders), once there is a media folder. */
  let mediaWatcher: FSWatcher | undefined;
  const watchMedia = (): boolean => {
    if (!existsSync(mediaDir)) return false;
    try {
      mediaWatcher = watch(mediaDir, { persistent: false, recursive: true }, (_event, name) => {
        if (name) mediaEvent(name.split(sep).join('/'));
      });
    } catch (error) {
      failed(error as Error);
      return false;
    }
    mediaWatcher.on('error', failed);
    return true;
  };
  watchMedia();
  const poll = setInterval(() => {
    checkFolder();
    // A media folder made after the start (or in a folder that replaced the first) is watched from
    // now on, and every article waiting for an image is looked at again ('' names no file: all).
    if (!mediaWatcher && !gone && watchMedia()) mediaEvent('');
  }, FOLDER_CHECK_MS);
  poll.unref();
  return {
    listen(next) {
      if (listener) throw new Error('watchFolder: listen() called twice');
      listener = next;
      for (const error of held.errors) next.failed(error);
      for (const message of held.notices) next.folder(message);
      for (const name of held.articles) next.article(name);
      for (const local of held.media) next.media(local);
      if (held.rescan) next.rescan();
      held.articles.clear();
      held.media.clear();
    },
    close() {
      clearInterval(poll);
      watcher.close();
      mediaWatcher?.close();
    },
  };
}

/** How often the targets of the folder's symbolic links are looked at, in ms. */
export const LINK_CHECK_MS = 1000;

/** How long a file must see no event before it is looked at, in ms. */
export const SETTLE_MS = 120;
/** How long its size and modification time must then stay the same before it is read, in ms. */
export const STABLE_MS = 60;

const GONE = 'gone';

/** A file's size and modification time as `size:mtime` (following a link), or GONE. */
function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return GONE;
  }
}

/** A served article's stamp in the same form. */
const servedStamp = (source: { size: number; mtimeMs: number }) => `${source.size}:${source.mtimeMs}`;

interface Pending {
  timer: NodeJS.Timeout;
  /** `size:mtime` seen at the last look, to tell a file that is still being written. */
  stamp?: string;
}

/** Starts watching `read.dir`; see the module comment. */
export function watchArticles(
  index: ArticleIndex,
  contents: ContentStore,
  read: ReadOptions,
  events: WatchEvents = {},
  options: {
    /** The restart cache, kept current. */
    cache?: MetaCache;
    /** Files the load refused for a missing image: tried again when the media folder changes. */
    missingImages?: Iterable<string>;
    /** The folder's watch, started before the load (default: started now). */
    folder?: FolderWatch;
    /** The names of the folder's symbolic links at the load (see LINK_CHECK_MS). */
    links?: Iterable<string>;
  } = {},
): ArticleWatcher {
  const { cache } = options;
  const pending = new Map<string, Pending>();
  /** Files to read again although they did not change: the image they show did. */
  const forced = new Set<string>();
  /** Files refused for a missing image: tried again when anything in the media folder changes. */
  const awaitingImage = new Set<string>([...(options.missingImages ?? [])].map((file) => basename(file)));
  /** The folder's symbolic links, with their target's stamp when last looked at (every LINK_CHECK_MS). */
  const links = new Map<string, string | undefined>();
  for (const name of options.links ?? []) {
    // What the load read: the stamp served, or for a link it refused, its target as it is now (read
    // again when that changes, not once more now, which would log the same refusal twice).
    const file = articlePath(read, name);
    const served = index.fileArticle(file)?.source;
    links.set(name, served ? servedStamp(served) : stampOf(file));
  }
  let closed = false;

  const schedule = (name: string, delay = SETTLE_MS, stamp?: string) => {
    const entry = pending.get(name);
    if (entry) clearTimeout(entry.timer);
    pending.set(name, { timer: setTimeout(() => settle(name), delay), stamp: stamp ?? entry?.stamp });
  };

  const settle = (name: string) => {
    if (closed) return;
    const file = articlePath(read, name);
    // GONE when deleted or renamed away: removed after the same wait, so that a rename within the
    // folder takes the old id away at about the moment the new one appears.
    const stamp = stampOf(file);
    const entry = pending.get(name);
    if (entry?.stamp !== stamp) {
      // Still changing, or looked at for the first time: look again once it has stayed put.
      schedule(name, STABLE_MS, stamp);
      return;
    }
    pending.delete(name);
    // A link is looked at by checkLinks from now on, a dangling one too (its target may come back).
    try {
      if (!lstatSync(file).isSymbolicLink()) links.delete(name);
      else if (!links.has(name)) links.set(name, stamp);
    } catch {
      links.delete(name);
    }
    if (stamp === GONE) return remove(file);
    const known = index.fileArticle(file);
    const force = forced.delete(name);
    if (known && servedStamp(known.source) === stamp && !force) return;
    const result = readArticleFile(name, read);
    awaitingImage.delete(name);
    if (result.ok) {
      contents.remember(result.article);
      const meta = toMeta(result.article);
      cache?.put(name, meta);
      const warning = index.upsert(meta);
      if (warning) events.warning?.(warning);
      events.updated?.(file, known ? 'changed' : 'added');
      return;
    }
    // Gone while being read, or a link whose target is gone: removed, as a deleted file is.
    if (result.error.reason === 'unreadable' && /disappeared|, which does not exist$/u.test(result.error.message)) return remove(file);
    if (result.error.reason === 'missing-image') awaitingImage.add(name);
    if (known) contents.pin(file);
    events.rejected?.(result.error, known !== undefined);
  };

  // A media file changed, appeared or went: the articles that show it are read again (an enclosure
  // carries the file's length, and a missing image makes its article a bad file).
  const mediaTimers = new Map<string, NodeJS.Timeout>();
  const mediaChanged = (local: string) => {
    clearTimeout(mediaTimers.get(local));
    mediaTimers.set(local, setTimeout(() => {
      mediaTimers.delete(local);
      if (closed) return;
      const names = new Set(awaitingImage);
      // '' (a media folder newly watched): every article showing a local image.
      for (const meta of index.files()) if (meta.image?.local !== undefined && (local === '' || meta.image.local === local)) names.add(basename(meta.file));
      for (const name of names) {
        forced.add(name);
        schedule(name);
      }
    }, SETTLE_MS + STABLE_MS));
  };

  const remove = (file: string) => {
    cache?.forget(basename(file));
    if (!index.fileArticle(file)) return;
    index.removeFile(file);
    contents.forget(file);
    events.updated?.(file, 'removed');
  };

  // A link's target changes without an event for the link (and a target in a subfolder without any
  // event the folder's watch sees): each link's target is stat'ed every LINK_CHECK_MS and read again
  // when its size or mtime is not the one served. Links are few; a folder of them costs a stat each.
  const checkLinks = () => {
    for (const [name, seen] of links) {
      if (pending.has(name)) continue;
      const file = articlePath(read, name);
      // GONE when its target is: read again (and found gone, or refused) like any file that went.
      const stamp = stampOf(file);
      // Looked at once per change of its target: a target that stays broken is not read every second.
      if (stamp === seen) continue;
      links.set(name, stamp);
      const known = index.fileArticle(file);
      if (known ? servedStamp(known.source) === stamp : stamp === GONE) continue;
      schedule(name);
    }
  };
  const linkPoll = setInterval(checkLinks, LINK_CHECK_MS);
  linkPoll.unref();

  const folder = options.folder ?? watchFolder(read.dir);
  // Another folder at the path: every name it holds, and every file served, is looked at again.
  const rescan = () => {
    if (closed) return;
    try {
      // What links are judged against: another folder may have another real path.
      const realDir = realpathSync(read.dir);
      if (realDir !== read.realDir) {
        read.realDir = realDir;
        cache?.moveTo(realDir);
      }
    } catch {
      // Gone again already: kept until a folder is there.
    }
    const names = new Set<string>();
    try {
      for (const name of readdirSync(read.dir)) if (isArticleFileName(name)) names.add(name);
    } catch {
      // Gone again already: the files served are looked at, and found gone.
    }
    for (const meta of index.files()) {
      names.add(basename(meta.file));
      // Its image is in the other folder's media, which may differ though the article does not.
      if (meta.image?.local !== undefined) forced.add(basename(meta.file));
    }
    for (const name of names) schedule(name);
  };

  folder.listen({ article: (name) => schedule(name), media: mediaChanged, failed: (error) => events.failed?.(error), folder: (message) => events.folder?.(message), rescan });

  return {
    close() {
      closed = true;
      clearInterval(linkPoll);
      folder.close();
      for (const timer of mediaTimers.values()) clearTimeout(timer);
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
    },
  };
}
