/** `crocetta feed add|list|remove|key`: the friends whose signed feeds the service pulls, and our own feed key. */
import {
  addFriend,
  FriendInputError,
  friendStatuses,
  loadOrCreateFeedKeys,
  removeFriend,
} from '../sharing/feeds/index.js';
import { Connection } from '../store/sqlite/connection.js';
import { cliConfig, ensureSchema, type GlobalOptions } from './context.js';
import { CliError, EXIT, counted, print } from './output.js';

async function withDb<T>(g: GlobalOptions, run: (db: Connection, defaultWeight: number) => Promise<T>): Promise<T> {
  const config = cliConfig(g);
  await ensureSchema(config.store.file, g.json === true);
  const db = await Connection.open(config.store.file);
  try {
    db.setBusyTimeout(5000);
    await db.exec('PRAGMA foreign_keys = ON');
    return await run(db, config.feeds.defaultWeight);
  } finally {
    await db.close();
  }
}

export interface FeedAddOptions {
  key: string;
  token: string;
  weight?: string;
}

export async function feedAdd(name: string, url: string, o: FeedAddOptions, g: GlobalOptions): Promise<void> {
  await withDb(g, async (db, defaultWeight) => {
    const weight = o.weight === undefined ? defaultWeight : Number(o.weight);
    try {
      const friend = await addFriend(db, { name, url, publicKey: o.key, token: o.token, weight }, Date.now());
      print(
        g.json === true,
        { name: friend.name, url: friend.url, weight: friend.weight },
        () =>
          `friend ${friend.name} added (weight ${friend.weight}): the service pulls ${friend.url} at its next round`,
      );
    } catch (err) {
      if (err instanceof FriendInputError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
  });
}

export async function feedList(g: GlobalOptions): Promise<void> {
  await withDb(g, async (db) => {
    const rows = (await friendStatuses(db)).map((f) => ({
      name: f.name,
      url: f.url,
      weight: f.weight,
      version: f.version,
      numbers: f.numbers,
      lastPull: f.lastPullAt === null ? null : new Date(f.lastPullAt).toISOString(),
      lastError: f.lastError,
    }));
    print(g.json === true, rows, () =>
      rows.length === 0
        ? 'no friends yet: crocetta feed add <name> <url> --key <their public key> --token <their feed token>'
        : rows
            .map(
              (r) =>
                `${r.name}\t${r.url}\tweight ${r.weight}\tversion ${r.version}\t${counted(r.numbers, 'number', 'numbers')}\t${r.lastPull ?? 'never pulled'}${r.lastError ? `\t${r.lastError}` : ''}`,
            )
            .join('\n'),
    );
  });
}

export async function feedRemove(name: string, g: GlobalOptions): Promise<void> {
  await withDb(g, async (db) => {
    if (!(await removeFriend(db, name))) throw new CliError(`no friend named ${name}`, EXIT.usage);
    print(
      g.json === true,
      { removed: name },
      () => `friend ${name} removed with its reports (the service forgets them at its next round)`,
    );
  });
}

export async function feedKey(g: GlobalOptions): Promise<void> {
  await withDb(g, async (db) => {
    const keys = await loadOrCreateFeedKeys(db, Date.now());
    print(g.json === true, { publicKey: keys.publicBase64 }, () => keys.publicBase64);
  });
}
