/**
 * `GET /api/feed?since=<version>`: our signed friends' feed (src/sharing/feeds), opened by the feed token or the API
 * token (authenticate.ts). `ETag` is the version; `If-None-Match` with it, or `since` equal to it, answers 304. The
 * signature is in `Crocetta-Feed-Signature: ed25519=<base64>`, over the body. `GET /api/feed/lookup?prefix=`:
 * "is this number on your list?" by 4 to 8 hex digits of its sha256, without the number.
 * (The appeal that clears a listed number is a numbers route: routes/numbers.ts.)
 */
import { Router } from 'express';
import { z } from 'zod';
import { SIGNATURE_HEADER } from '../../sharing/feeds/feed-format.js';
import { feedEtag } from '../../sharing/feeds/feeds.js';
import type { PanelDeps } from '../deps.js';
import { parseRequest } from '../request.js';

const feedQuery = z.object({
  since: z
    .string({ error: 'expected a feed version (a whole number)' })
    .regex(/^\d{1,15}$/, { error: 'expected a feed version (a whole number)' })
    .optional()
    .transform((v) => (v === undefined ? 0 : Number(v))),
});

/** Hex digits of the hash a friend may send: 4 (1 in 65,536 numbers) to 8; fewer would list too much at once. */
const lookupQuery = z.object({
  prefix: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v.toLowerCase() : ''))
    .pipe(
      z.string().regex(/^[0-9a-f]{4,8}$/, { error: 'expected 4 to 8 hex digits of the sha256 of the E.164 number' }),
    ),
});

export function feedRouter(deps: Pick<PanelDeps, 'feed'>): Router {
  const router = Router();
  const { feeds } = deps.feed;

  router.get('/api/feed', async (req, res) => {
    const { since } = parseRequest(req, { query: feedQuery }).query;
    const version = await feeds.version();
    const etag = feedEtag(version);
    if (since > 0 && (since === version || req.get('if-none-match') === etag)) {
      res.status(304).set('ETag', etag).end();
      return;
    }
    const feed = await feeds.publish(since);
    res
      .set('ETag', feed.etag)
      .set(SIGNATURE_HEADER, `ed25519=${feed.signature}`)
      .set('Cache-Control', 'private, no-cache')
      .type('application/json')
      .send(feed.body);
  });

  router.get('/api/feed/lookup', async (req, res) => {
    const { prefix } = parseRequest(req, { query: lookupQuery }).query;
    res.set('Cache-Control', 'private, no-store').json({ prefix, matches: await feeds.lookupPrefix(prefix) });
  });

  return router;
}
