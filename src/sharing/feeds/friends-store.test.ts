import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegister } from '../../store/register/register.js';
import { Connection } from '../../store/sqlite/connection.js';
import { tempDir, type TempDir } from '../../store/test-tmp.js';
import {
  FEED_FORMAT,
  FEED_FORMAT_VERSION,
  publicKeyToBase64,
  type FeedEntry,
  type FeedPayload,
} from './feed-format.js';
import { addFriend, mergeFeed } from './friends-store.js';

const NOW = Date.parse('2026-12-07T01:00:00Z');
let dir: TempDir;
beforeEach(() => {
  dir = tempDir('crocetta-friends-');
});
afterEach(() => dir.remove());

describe("a friend's feed merged", () => {
  it('keeps a known category named in either language as its key (an older crocetta sends energia)', async () => {
    const file = dir.file('r.sqlite');
    await (await openRegister({ file, lookbackDays: 30 })).close();
    const db = await Connection.open(file);
    const { publicKey } = generateKeyPairSync('ed25519');
    const friend = await addFriend(
      db,
      {
        name: 'rossi',
        url: 'https://rossi.example/api/feed',
        publicKey: publicKeyToBase64(publicKey),
        token: 't',
        weight: 0.5,
      },
      NOW,
    );
    const entry = (number: string, category: string | null): FeedEntry => ({
      number,
      company: 'Luce Facile',
      category,
      attempts: 1,
      firstSeen: NOW,
      lastSeen: NOW,
      markedAt: NOW,
    });
    const entries = [
      entry('+390645001001', 'Energia'),
      entry('+390645001002', 'telefonia'),
      entry('+390645001003', 'Fotovoltaico'),
      entry('+390645001004', null),
      // Another category trimmed, as the API and CLI keep it; a blank one is none.
      entry('+390645001005', ' pannelli solari '),
      entry('+390645001006', '  '),
    ];
    const feed: FeedPayload = {
      format: FEED_FORMAT,
      formatVersion: FEED_FORMAT_VERSION,
      version: 1,
      since: 0,
      full: true,
      issuedAt: NOW,
      entries,
      removed: [],
    };
    await mergeFeed(db, friend.id, feed, null, NOW);
    const rows = await db.all<{ category: string | null }>('SELECT category FROM friend_reports ORDER BY caller_key');
    expect(rows.map((r) => r.category)).toEqual(['energy', 'telecom', 'Fotovoltaico', null, 'pannelli solari', null]);
    await db.close();
  });
});
