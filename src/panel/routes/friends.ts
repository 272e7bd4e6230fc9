/**
 * Friends' feeds from the panel (`crocetta feed add|list|remove` on the command line): `GET /friends` the page,
 * `POST /friends` its forms (`action` add or remove), `GET /api/friends` the list as JSON. A friend's token is
 * written, never shown or returned. What we give a friend (our feed's address and public key) is on the same page.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { FriendInputError } from '../../sharing/feeds/friends-store.js';
import type { PanelDeps } from '../deps.js';
import { langOf, pageContext, sendHtml } from '../page.js';
import { friendsPage, friendsText, type FriendsData } from '../pages/friends.js';
import { boundedText, parseRequest, text } from '../request.js';

const friendForm = z.object({
  action: z.enum(['add', 'remove'], { error: 'unknown form' }),
  name: boundedText(60),
  url: boundedText(2000),
  key: boundedText(200),
  token: boundedText(500),
  weight: boundedText(10),
});

/** The page's text for what was wrong with a friend to add. */
const WHY = { name: 'badName', url: 'badUrl', key: 'badKey', weight: 'badWeight', taken: 'taken' } as const;

const shown = z.object({ added: text(60), removed: text(60) });

export function friendsRouter(
  deps: Pick<PanelDeps, 'feed' | 'clock' | 'timeZone' | 'defaultCountry' | 'logger'>,
): Router {
  const router = Router();
  const { feeds, feedToken, defaultWeight } = deps.feed;

  const render = async (
    req: Request,
    res: Response,
    message: FriendsData['message'],
    form?: FriendsData['form'],
  ): Promise<void> => {
    sendHtml(
      res,
      friendsPage(pageContext(req, res, deps), {
        friends: await feeds.friends(),
        ourUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}/api/feed`,
        ourKey: feeds.publicKey,
        feedTokenSet: feedToken !== '',
        defaultWeight,
        message,
        ...(form && { form }),
      }),
    );
  };

  router.get('/friends', async (req, res) => {
    const q = parseRequest(req, { query: shown }).query;
    const lang = langOf(req);
    const message =
      q.added !== undefined
        ? { ok: true, text: friendsText(lang, 'added', q.added) }
        : q.removed !== undefined
          ? { ok: true, text: friendsText(lang, 'removed', q.removed) }
          : null;
    await render(req, res, message);
  });

  router.post('/friends', async (req, res) => {
    const f = parseRequest(req, { body: friendForm }).body;
    const name = f.name ?? '';
    if (f.action === 'remove') {
      if (await feeds.removeFriend(name)) {
        res.redirect(303, `/friends?removed=${encodeURIComponent(name)}`);
        return;
      }
      res.status(404);
      await render(req, res, { ok: false, text: friendsText(langOf(req), 'noSuch', name) });
      return;
    }
    const weight = f.weight === undefined ? defaultWeight : Number(f.weight.replace(',', '.'));
    try {
      await feeds.addFriend({ name, url: f.url ?? '', publicKey: f.key ?? '', token: f.token ?? '', weight });
    } catch (err) {
      if (!(err instanceof FriendInputError)) throw err;
      res.status(400);
      await render(
        req,
        res,
        { ok: false, text: friendsText(langOf(req), WHY[err.field], name.trim()) },
        {
          name,
          url: f.url ?? '',
          key: f.key ?? '',
          // Left blank: the page offers the default as its language writes it (0,6 in Italian).
          ...(f.weight !== undefined && { weight: f.weight }),
        },
      );
      return;
    }
    res.redirect(303, `/friends?added=${encodeURIComponent(name.trim())}`);
  });

  router.get('/api/friends', async (_req, res) => {
    res.set('Cache-Control', 'private, no-store').json({ friends: await feeds.friends() });
  });

  return router;
}
