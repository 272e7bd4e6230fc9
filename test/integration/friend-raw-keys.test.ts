/**
 * A friend's word on a sender ID in another case than ours (texts50). A friend's feed names numbers only (E.164: the
 * feed format refuses a `raw:` key, and a crocetta lists none), so a friend's report cannot name `raw:AMAZON`; what
 * a friend can share about a sender ID is an export of its register, imported here. Its mark on `raw:AMAZON` holds
 * for our `raw:Amazon` as a mark of ours in another case does (MarkTable's folded keys): the next text is refused and
 * the sender's page, under any spelling, shows the mark. Passed before texts50: pinned, not fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_FORMAT, FEED_FORMAT_VERSION, feedPayloadSchema } from '../../src/sharing/feeds/feed-format.js';
import { buildMessage } from '../support/drachtio-double.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

let h: Harness;
const DID = '+390255550100';

async function text(from: string): Promise<number> {
  return (await h.double.injectRequest(buildMessage({ from, to: DID, body: 'Il tuo ordine' })).waitForFinal()).status;
}

beforeAll(async () => {
  h = await startHarness();
  h.double.onProxy(() => [{ status: 200 }]);
});
afterAll(async () => {
  await h.stop();
});

describe("a friend's mark on a sender ID in another case", () => {
  it("a friend's export marking raw:AMAZON: our Amazon's next text is refused, its page shows the mark", async () => {
    expect(await text('Amazon')).toBe(200);
    const at = '2026-11-04T08:30:00.000Z';
    const file = [
      { format: 'crocetta-register', version: 2, exportedAt: at },
      {
        type: 'mark',
        number: 'raw:AMAZON',
        label: 'nuisance',
        marked_at: at,
        company: 'Fake Amazon',
        category: null,
        updated_at: at,
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const res = await fetch(h.url('/api/import'), {
      method: 'POST',
      body: `${file}\n`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(await text('Amazon')).toBe(607);
    for (const key of ['raw:Amazon', 'raw:amazon', 'raw:AMAZON']) {
      const page = await h.api('GET', `/api/numbers/${encodeURIComponent(key)}`);
      expect(page.json).toMatchObject({
        number: 'raw:Amazon',
        verdict: 'nuisance',
        mark: { label: 'nuisance', company: 'Fake Amazon' },
      });
    }
  });

  it("a friend's feed cannot name a raw: key: such a feed is refused whole", () => {
    const entry = { company: null, category: null, attempts: 1, firstSeen: null, lastSeen: null, markedAt: 1 };
    const feed = (number: string) => ({
      format: FEED_FORMAT,
      formatVersion: FEED_FORMAT_VERSION,
      version: 1,
      since: 0,
      full: true,
      issuedAt: 1,
      entries: [{ number, ...entry }],
      removed: [],
    });
    expect(feedPayloadSchema.safeParse(feed('+390212345678')).success).toBe(true);
    expect(feedPayloadSchema.safeParse(feed('raw:AMAZON')).success).toBe(false);
  });
});
