/**
 * `GET /api/feed?since=<version>`: our signed friends' feed (src/sharing/feeds). Friends authenticate with the
 * feed token (it opens nothing else) or the API bearer token. `ETag` is the version; `If-None-Match` with it, or
 * `since` equal to it, answers 304. The signature is in `Crocetta-Feed-Signature: ed25519=<base64>`, over the body.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { SIGNATURE_HEADER } from '../sharing/feeds/feed-format.js';
import { APPEAL_BY } from '../sharing/feeds/feed-publisher.js';
import { feedEtag, type FeedService } from '../sharing/feeds/feeds.js';
import type { MarkInput } from '../store/register/types.js';
import { apiAuth, keyFromParam, type ApiDeps } from './api.js';
import { HttpError } from './http-error.js';

export interface FeedApiDeps {
  feeds: FeedService;
  /** Token given to friends for the feed only; empty = only the API token opens it. */
  feedToken: string;
  apiToken: string;
  defaultCountry: string;
  now: () => number;
  /** The register's mark (an appeal clears the number's mark). */
  mark: (callerKey: string, input: MarkInput) => Promise<void>;
  session?: ApiDeps['session'];
}

/** Hex digits of the hash a friend may send: 4 (1 in 65,536 numbers) to 8; fewer would list too much at once. */
const PREFIX = /^[0-9a-f]{4,8}$/;
const appealBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function feedAuth(tokens: string[]): RequestHandler {
  const accepted = tokens.filter((t) => t !== '').map(digest);
  return (req, _res, next) => {
    if (accepted.length === 0) throw new HttpError(503, 'the feed is not configured: set CROCETTA_FEED_TOKEN or CROCETTA_API_TOKEN');
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    const given = m?.[1] ? digest(m[1].trim()) : undefined;
    if (given === undefined || !accepted.some((t) => timingSafeEqual(t, given))) throw new HttpError(401, 'missing or wrong bearer token');
    next();
  };
}

export function feedRouter(deps: FeedApiDeps): Router {
  const router = Router();
  router.get('/feed', feedAuth([deps.feedToken, deps.apiToken]), async (req, res) => {
    const raw = req.query['since'];
    if (raw !== undefined && (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))) throw new HttpError(400, 'since: expected a feed version (a whole number)');
    const since = raw === undefined ? 0 : Number(raw);
    const version = await deps.feeds.version();
    const etag = feedEtag(version);
    if (since > 0 && (since === version || req.get('if-none-match') === etag)) {
      res.status(304).set('ETag', etag).end();
      return;
    }
    const feed = await deps.feeds.publish(since);
    res.set('ETag', feed.etag).set(SIGNATURE_HEADER, `ed25519=${feed.signature}`).set('Cache-Control', 'private, no-cache').type('application/json').send(feed.body);
  });
  router.get('/feed/lookup', feedAuth([deps.feedToken, deps.apiToken]), async (req, res) => {
    const prefix = typeof req.query['prefix'] === 'string' ? req.query['prefix'].toLowerCase() : '';
    if (!PREFIX.test(prefix)) throw new HttpError(400, 'prefix: expected 4 to 8 hex digits of the sha256 of the E.164 number');
    res.set('Cache-Control', 'private, no-store').json({ prefix, matches: await deps.feeds.lookupPrefix(prefix) });
  });

  // An appeal clears a wrongly listed caller: the reason is kept, the clearing travels in our feed as a tombstone.
  router.post('/numbers/:number/appeal', apiAuth(deps.apiToken, deps.session), express.json({ limit: '8kb' }), async (req, res) => {
    const param = req.params['number'];
    const { key } = keyFromParam(typeof param === 'string' ? param : '', deps.defaultCountry);
    const { reason } = appealBody.parse(req.body);
    await deps.mark(key, { label: 'none', company: null, category: null, at: deps.now(), by: APPEAL_BY });
    await deps.feeds.appeal(key, reason, 'api');
    res.json({ number: key, cleared: true, reason });
  });
  return router;
}
