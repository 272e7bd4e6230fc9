/**
 * `GET /api/feed?since=<version>`: our signed friends' feed (src/sharing/feeds). Friends authenticate with the
 * feed token (it opens nothing else) or the API bearer token. `ETag` is the version; `If-None-Match` with it, or
 * `since` equal to it, answers 304. The signature is in `Crocetta-Feed-Signature: ed25519=<base64>`, over the body.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { SIGNATURE_HEADER } from '../sharing/feeds/feed-format.js';
import { feedEtag, type FeedService } from '../sharing/feeds/feeds.js';
import { HttpError } from './http-error.js';

export interface FeedApiDeps {
  feeds: FeedService;
  /** Token given to friends for the feed only; empty = only the API token opens it. */
  feedToken: string;
  apiToken: string;
}

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
  return router;
}
