/**
 * The instance's Ed25519 feed key: generated once, kept in the register's `settings` table (so a backup of the
 * register keeps it), read at start. Friends get the public half (`crocetta feed key`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Connection } from '../../store/sqlite/connection.js';
import { publicKeyToBase64 } from './feed-format.js';

const SETTING = 'feeds.ed25519';

export interface FeedKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64 SPKI DER, as friends enter it. */
  publicBase64: string;
}

function fromPkcs8(b64: string): FeedKeys {
  const privateKey = createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicBase64: publicKeyToBase64(publicKey) };
}

export async function loadOrCreateFeedKeys(db: Connection, now: number): Promise<FeedKeys> {
  const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [SETTING]);
  if (row !== undefined) return fromPkcs8(JSON.parse(row.value) as string);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  // Two processes starting at once: the first key written wins, and both read it back.
  await db.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING', [
    SETTING,
    JSON.stringify(pkcs8),
    now,
  ]);
  const stored = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [SETTING]);
  return fromPkcs8(JSON.parse(stored?.value ?? JSON.stringify(pkcs8)) as string);
}
