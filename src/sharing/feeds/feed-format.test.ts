import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { friendReason } from '../../screening/friends.js';
import { canonicalJson, publicKeyToBase64, signFeed, type FeedPayload } from './feed-format.js';
import { checkFeed, type PullLimits } from './feed-puller.js';

const NOW = Date.parse('2026-11-05T09:30:00Z');
const LIMITS: PullLimits = {
  maxBytes: 4096,
  maxEntries: 10,
  maxAgeMs: 86_400_000,
  maxSkewMs: 300_000,
  timeoutMs: 1000,
};
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const friend = { publicKey: publicKeyToBase64(publicKey), version: 0 };

function feed(over: Partial<FeedPayload> = {}): FeedPayload {
  return {
    format: 'crocetta-feed',
    formatVersion: 1,
    version: 7,
    since: 0,
    full: true,
    issuedAt: NOW,
    entries: [
      {
        number: '+390287176900',
        company: null,
        category: 'energy',
        attempts: 3,
        firstSeen: NOW - 1000,
        lastSeen: NOW,
        markedAt: NOW,
      },
    ],
    removed: [],
    ...over,
  };
}

function signed(p: FeedPayload): { body: Buffer; sig: string } {
  const body = Buffer.from(canonicalJson(p));
  return { body, sig: `ed25519=${signFeed(body, privateKey)}` };
}

describe('feed format', () => {
  it('writes canonical JSON: keys sorted at every level, no blanks', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: null, e: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[2,{"e":"x","f":null}]},"b":1}',
    );
  });

  it('accepts a well-signed, fresh, newer feed', () => {
    const { body, sig } = signed(feed());
    expect(checkFeed(body, sig, friend, 0, NOW, LIMITS)).toMatchObject({ kind: 'feed', feed: { version: 7 } });
  });

  it.each([
    ['forged', () => ({ ...signed(feed()), body: Buffer.from(canonicalJson(feed({ version: 8 }))) }), 0],
    ['forged', () => ({ body: signed(feed()).body, sig: '' }), 0],
    ['replayed', () => signed(feed({ version: 3, since: 3, full: false })), 3],
    ['replayed', () => signed(feed()), 7],
    ['stale', () => signed(feed({ issuedAt: NOW - 2 * 86_400_000 })), 0],
    ['stale', () => signed(feed({ issuedAt: NOW + 3_600_000 })), 0],
    [
      'oversized',
      () =>
        signed(
          feed({
            entries: Array.from({ length: 11 }, (_, i) => ({ ...feed().entries[0]!, number: `+3902871769${10 + i}` })),
          }),
        ),
      0,
    ],
    [
      'oversized',
      () =>
        signed(
          feed({
            entries: Array.from({ length: 60 }, (_, i) => ({ ...feed().entries[0]!, number: `+390287176${100 + i}` })),
          }),
        ),
      0,
    ],
    ['malformed', () => signed({ ...feed(), extra: 1 } as FeedPayload), 0],
  ] as const)('refuses a %s feed', (reason, make, since) => {
    const { body, sig } = make();
    const known = since === 7 ? { ...friend, version: 8 } : { ...friend, version: since === 3 ? 3 : 0 };
    expect(checkFeed(body, sig, known, since === 7 ? 0 : since, NOW, LIMITS)).toMatchObject({
      kind: 'rejected',
      reason,
    });
  });
});

describe('friends as evidence', () => {
  const report = (friend: string, weight: number) => ({ friend, weight, company: null, category: null });

  it("combines the friends' weights by noisy-OR", () => {
    const r = friendReason({ reports: [report('alfa', 0.6), report('beta', 0.5)], consensus: 1 });
    expect(r).toMatchObject({ code: 'friend-reports', text: 'reported by 2 friends (alfa, beta)' });
    expect(r?.weight).toBeCloseTo(0.8);
  });

  it('only explains below the consensus', () => {
    expect(friendReason({ reports: [report('alfa', 0.9)], consensus: 2 })).toMatchObject({
      weight: 0,
      text: 'reported by 1 friend (alfa); 2 needed to count',
    });
    expect(friendReason({ reports: [], consensus: 1 })).toBeNull();
  });
});
