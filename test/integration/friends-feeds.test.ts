/**
 * Friends' feeds between two real crocetta instances on loopback: A marks numbers, B subscribes to A's signed feed
 * and classifies A's nuisance numbers by the trust rule; a tampered, replayed or stale feed is refused and logged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addFriend, numberHash, SIGNATURE_HEADER } from '../../src/sharing/feeds/index.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { buildInvite } from '../support/drachtio-double.js';
import { runCli, type CliRun } from '../support/cli-process.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const FEED_TOKEN = 'friends-only-token-42';
const LISTED = '+390287176900';
const TRUSTED = '+390287176901';

async function befriend(h: Harness, name: string, url: string, publicKey: string, weight: number): Promise<void> {
  const db = await Connection.open(join(h.dir, 'register.sqlite'));
  try {
    db.setBusyTimeout(5000);
    await addFriend(db, { name, url, publicKey, token: FEED_TOKEN, weight }, h.clock.now());
  } finally {
    await db.close();
  }
}

function cli(h: Harness, args: string[]): Promise<CliRun> {
  return runCli(['--json', ...args], { CROCETTA_DB: join(h.dir, 'register.sqlite'), LOG_LEVEL: 'silent' });
}

async function verdictAt(
  h: Harness,
  number: string,
): Promise<{ verdict: string; reasons: Array<{ code: string; text: string }> }> {
  const r = await h.api('GET', `/api/numbers/${encodeURIComponent(number)}`);
  expect(r.status).toBe(200);
  return r.json as { verdict: string; reasons: Array<{ code: string; text: string }> };
}

/** A server in the middle: serves what `rewrite` makes of A's answer (body and headers). */
async function middleman(
  upstream: string,
  rewrite: (body: Buffer, sig: string) => { body: Buffer; sig: string },
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const up = await fetch(`${upstream}${req.url?.slice(req.url.indexOf('?')) ?? ''}`, {
        headers: { authorization: req.headers.authorization ?? '' },
      });
      const out = rewrite(Buffer.from(await up.arrayBuffer()), up.headers.get(SIGNATURE_HEADER) ?? '');
      res.writeHead(up.status, { 'content-type': 'application/json', [SIGNATURE_HEADER]: out.sig }).end(out.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/feed` };
}

describe("friends' feeds between two instances", () => {
  let a: Harness;
  let b: Harness;
  const servers: Server[] = [];

  beforeEach(async () => {
    a = await startHarness({ CROCETTA_FEED_TOKEN: FEED_TOKEN });
    b = await startHarness();
    expect(
      (
        await a.api('POST', `/api/numbers/${encodeURIComponent(LISTED)}/mark`, {
          label: 'nuisance',
          company: 'Acme Energia',
          category: 'energy',
        })
      ).status,
    ).toBe(200);
    expect((await a.api('POST', `/api/numbers/${encodeURIComponent(TRUSTED)}/mark`, { label: 'trusted' })).status).toBe(
      200,
    );
  });

  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
    await b.stop();
    await a.stop();
  });

  it("makes a number the friend reports nuisance at the other instance, per the friend's weight", async () => {
    await befriend(b, 'alfa', a.url('/api/feed'), a.app.feeds.publicKey, 0.9);
    expect((await verdictAt(b, LISTED)).verdict).toBe('unknown');

    const [pulled] = await b.app.feeds.pullAll();
    expect(pulled).toMatchObject({ friend: 'alfa', outcome: 'merged', entries: 1 });

    const seen = await verdictAt(b, LISTED);
    expect(seen.verdict).toBe('nuisance');
    expect(seen.reasons).toContainEqual(
      expect.objectContaining({ code: 'friend-reports', text: 'reported by 1 friend (alfa, Acme Energia, energy)' }),
    );
    // A call from it through drachtio is refused at B, with the friends' reason in B's register.
    const did = '+390612345678';
    const call = b.double.injectRequest(
      buildInvite({ from: '<sip:0287176900@203.0.113.10>', to: did, requestUri: `sip:${did}@127.0.0.1` }),
    );
    expect((await call.waitForFinal()).status).toBe(607);
    await b.app.register.flush();
    const attempts = (await b.api('GET', `/api/attempts?number=${encodeURIComponent(LISTED)}`)).json as {
      attempts: Array<{ verdict: string; reasons: Array<{ code: string }> }>;
    };
    expect(attempts.attempts[0]).toMatchObject({
      verdict: 'nuisance',
      reasons: [expect.objectContaining({ code: 'friend-reports' })],
    });
    // Trusted numbers never travel.
    expect((await verdictAt(b, TRUSTED)).reasons).toEqual([]);

    // Nothing new: the ETag answers 304 and nothing changes.
    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'unchanged' });

    // A unmarks the number: the next pull carries the tombstone and B forgets it.
    expect((await a.api('POST', `/api/numbers/${encodeURIComponent(LISTED)}/mark`, { label: 'none' })).status).toBe(
      200,
    );
    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'merged', entries: 0, removed: 1 });
    // Only B's own evidence is left (the refused call: its next attempt would be one after a refusal).
    expect((await verdictAt(b, LISTED)).reasons.map((r) => r.code)).not.toContain('friend-reports');
  });

  it('subscribes, lists and unsubscribes with crocetta feed add|list|remove', async () => {
    const key = await cli(a, ['feed', 'key']);
    expect(key.code, key.stderr).toBe(0);
    expect(JSON.parse(key.stdout)).toEqual({ publicKey: a.app.feeds.publicKey });
    const added = await cli(b, [
      'feed',
      'add',
      'alfa',
      a.url('/api/feed'),
      '--key',
      a.app.feeds.publicKey,
      '--token',
      FEED_TOKEN,
      '--weight',
      '0.9',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(
      (await cli(b, ['feed', 'add', 'beta', a.url('/api/feed'), '--key', 'bm90IGEga2V5', '--token', 'x'])).code,
    ).toBe(64);
    await b.app.feeds.pullAll();
    expect((await verdictAt(b, LISTED)).verdict).toBe('nuisance');
    const looked = JSON.parse((await cli(b, ['lookup', LISTED])).stdout) as { verdict: string; reasons: string[] };
    expect(looked.verdict).toBe('nuisance');
    expect(looked.reasons).toContain('reported by 1 friend (alfa, Acme Energia, energy)');
    const listed = JSON.parse((await cli(b, ['feed', 'list'])).stdout) as unknown[];
    expect(listed).toEqual([expect.objectContaining({ name: 'alfa', weight: 0.9, numbers: 1, lastError: null })]);
    expect((await cli(b, ['feed', 'remove', 'alfa'])).code).toBe(0);
    await b.app.feeds.pullAll();
    expect((await verdictAt(b, LISTED)).verdict).toBe('unknown');
    expect((await cli(b, ['feed', 'remove', 'alfa'])).code).toBe(64);
  }, 90_000); // seven CLI processes (test/support/cli-process.ts: about 1 s of CPU each)

  it('clears a wrongly listed caller on appeal, keeps the reason, and the clearing travels in the feed', async () => {
    await befriend(b, 'alfa', a.url('/api/feed'), a.app.feeds.publicKey, 0.9);
    await b.app.feeds.pullAll();
    expect((await verdictAt(b, LISTED)).verdict).toBe('nuisance');

    const appealed = await a.api('POST', `/api/numbers/${encodeURIComponent(LISTED)}/appeal`, {
      reason: 'our new supplier, not a telemarketer',
    });
    expect(appealed).toMatchObject({ status: 200, json: { number: LISTED, cleared: true } });
    expect((await a.api('POST', `/api/numbers/${encodeURIComponent(LISTED)}/appeal`, {})).status).toBe(400);
    const feed = await fetch(a.url('/api/feed?since=1'), { headers: { authorization: `Bearer ${FEED_TOKEN}` } });
    const changes = await feed.text();
    expect(JSON.parse(changes)).toMatchObject({
      since: 1,
      full: false,
      entries: [],
      removed: [{ number: LISTED, cleared: 'appeal' }],
    });
    // The trusted mark (version 2) is among the changes asked for, and still never named.
    expect(changes).not.toContain(TRUSTED);

    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'merged', removed: 1 });
    expect((await verdictAt(b, LISTED)).verdict).toBe('unknown');
  });

  it("ignores friends' reports of a number cleared here on appeal", async () => {
    await befriend(b, 'alfa', a.url('/api/feed'), a.app.feeds.publicKey, 0.9);
    await b.app.feeds.pullAll();
    expect(
      (await b.api('POST', `/api/numbers/${encodeURIComponent(LISTED)}/appeal`, { reason: 'a customer of ours' }))
        .status,
    ).toBe(200);
    expect((await verdictAt(b, LISTED)).verdict).toBe('unknown');
  });

  it('answers "is this number on your list?" by a hash prefix, without the number', async () => {
    const hash = numberHash(LISTED);
    const ask = async (prefix: string) =>
      fetch(a.url(`/api/feed/lookup?prefix=${prefix}`), { headers: { authorization: `Bearer ${FEED_TOKEN}` } });
    const found = (await (await ask(hash.slice(0, 5))).json()) as { matches: Array<{ hash: string }> };
    expect(found.matches).toContainEqual(expect.objectContaining({ hash, category: 'energy' }));
    const trusted = numberHash(TRUSTED);
    const none = (await (await ask(trusted.slice(0, 8))).json()) as { matches: unknown[] };
    expect(none.matches).toEqual([]);
    expect((await ask('ab')).status).toBe(400);
  });

  it("only makes a less trusted friend's number suspect", async () => {
    await befriend(b, 'alfa', a.url('/api/feed'), a.app.feeds.publicKey, 0.6);
    await b.app.feeds.pullAll();
    expect((await verdictAt(b, LISTED)).verdict).toBe('suspect');
  });

  it('serves the feed only with a token, and never lists trusted numbers', async () => {
    const anon = await fetch(a.url('/api/feed'));
    expect(anon.status).toBe(401);
    const res = await fetch(a.url('/api/feed?since=0'), { headers: { authorization: `Bearer ${FEED_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get(SIGNATURE_HEADER)).toMatch(/^ed25519=/);
    const body = await res.text();
    expect(body).toContain(LISTED);
    expect(body).not.toContain(TRUSTED);
    // The feed token opens nothing else.
    expect((await a.api('GET', '/api/attempts', undefined, FEED_TOKEN)).status).toBe(401);
    expect((await a.api('GET', '/api/feed', undefined, TOKEN)).status).toBe(200);
  });

  it("never logs a key in a friend's feed URL, nor a password typed into it", async () => {
    // A feed behind a proxy that wants its key in the query string: pulled, and logged without the key's value.
    await befriend(b, 'alfa', `${a.url('/api/feed')}?key=q-s3cret-77`, a.app.feeds.publicKey, 0.9);
    // Credentials typed into the URL: fetch refuses such a URL and its message quotes it whole.
    const withPassword = a.url('/api/feed').replace('http://', 'http://feeds:pw-s3cret-88@');
    await befriend(b, 'beta', withPassword, a.app.feeds.publicKey, 0.9);
    const pulled = await b.app.feeds.pullAll();
    expect(pulled).toEqual([
      expect.objectContaining({ friend: 'alfa', outcome: 'merged' }),
      expect.objectContaining({ friend: 'beta', outcome: 'rejected', reason: 'unreachable' }),
    ]);
    const lines = b.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('friend feed'));
    expect(lines.map((l) => [l.friend, l.url])).toEqual([
      ['alfa', `${a.url('/api/feed')}?key=[redacted]`],
      ['beta', a.url('/api/feed').replace('http://', 'http://[redacted]@')],
    ]);
    expect(String(lines[1]?.detail)).toContain('includes credentials: http://[redacted]@');
    const logged = JSON.stringify(b.logs);
    for (const secret of ['q-s3cret-77', 'pw-s3cret-88']) expect(logged).not.toContain(secret);
    // Nor in the friend's last error, which `crocetta feed list` prints.
    const list = await cli(b, ['feed', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('includes credentials');
    expect(list.stdout.split('pw-s3cret-88').length, 'the URL itself is listed once, its error without it').toBe(2);
  });

  it('refuses a tampered feed, logs it and merges nothing', async () => {
    const m = await middleman(a.url('/api/feed'), (body, sig) => ({
      body: Buffer.from(body.toString('utf8').replace(LISTED, '+390287176999')),
      sig,
    }));
    servers.push(m.server);
    await befriend(b, 'alfa', m.url, a.app.feeds.publicKey, 0.9);
    const [pulled] = await b.app.feeds.pullAll();
    expect(pulled).toMatchObject({ outcome: 'rejected', reason: 'forged' });
    expect(b.logs).toContainEqual(
      expect.objectContaining({ msg: 'friend feed rejected: nothing merged', reason: 'forged', friend: 'alfa' }),
    );
    expect((await verdictAt(b, '+390287176999')).verdict).toBe('unknown');
    expect((await verdictAt(b, LISTED)).verdict).toBe('unknown');
  });

  it("refuses a feed signed by another key than the friend's", async () => {
    await befriend(b, 'alfa', a.url('/api/feed'), b.app.feeds.publicKey, 0.9);
    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'rejected', reason: 'forged' });
    expect((await verdictAt(b, LISTED)).verdict).toBe('unknown');
  });

  it('refuses a replayed older feed and a stale one', async () => {
    let replay: { body: Buffer; sig: string } | undefined;
    const m = await middleman(a.url('/api/feed'), (body, sig) => {
      replay ??= { body, sig };
      return replay;
    });
    servers.push(m.server);
    await befriend(b, 'alfa', m.url, a.app.feeds.publicKey, 0.9);
    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'merged' });
    // A changes its list; the middleman keeps answering the first feed.
    await a.api('POST', `/api/numbers/${encodeURIComponent('+390287176902')}/mark`, { label: 'nuisance' });
    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'rejected', reason: 'replayed' });

    b.clock.advance(2 * 86_400_000);
    expect((await b.app.feeds.pullAll())[0]).toMatchObject({ outcome: 'rejected', reason: 'stale' });
    expect(b.logs.filter((l) => l.msg === 'friend feed rejected: nothing merged').map((l) => l.reason)).toEqual([
      'replayed',
      'stale',
    ]);
  });
});
