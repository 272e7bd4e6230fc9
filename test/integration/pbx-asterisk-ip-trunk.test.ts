/**
 * docs/pbx/asterisk-freepbx.md, "crocetta as an IP trunk": crocetta started with the page's own settings, and what
 * the page's Asterisk configuration relies on. No Asterisk runs here; the SIP that reaches it is checked instead:
 * the Request-URI user its inbound routes match, Record-Route, the header its dial plan reads, a refusal it never
 * sees, and its outbound calls to the carrier.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const recipe = readFileSync(new URL('../../docs/pbx/asterisk-freepbx.md', import.meta.url), 'utf8');

/** The `VAR=value` lines of the sh block after `heading`. */
function settingsAfter(heading: string): Record<string, string> {
  const section = recipe.slice(recipe.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const env: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const m = /^([A-Z_]+)=(\S+)/.exec(line.trim());
    if (m?.[1] && m[2]) env[m[1]] = m[2];
  }
  return env;
}

/** The address of `type=identify`'s `match=` and the aor's contact in the page's pjsip.conf. */
function pjsip(key: 'match' | 'contact'): string {
  const conf = /```ini\n(\[transport-udp\][\s\S]*?)```/.exec(recipe)?.[1] ?? '';
  return new RegExp(`^${key}=(\\S+)`, 'm').exec(conf)?.[1] ?? '';
}

const settings = settingsAfter("### crocetta's settings");
const CARRIER = { address: '203.0.113.10', port: 5060 };
const PBX = { address: '192.168.1.10', port: 5060 };
let h: Harness;

describe('Asterisk/FreePBX recipe: crocetta as an IP trunk', () => {
  beforeAll(async () => {
    h = await startHarness(settings);
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
  });
  afterAll(async () => {
    await h.stop();
  });

  it("uses addresses that agree with each other: PBX_URI is Asterisk's, the endpoint matches crocetta's", () => {
    expect(settings).toMatchObject({ PBX_URI: `sip:${PBX.address}:${PBX.port}`, FORWARD_MODE: 'proxy' });
    expect(pjsip('match')).toBe('192.168.1.20');
    expect(pjsip('contact')).toBe('sip:192.168.1.20:5060');
    expect(settings.MEDIA_ADDRESS).toBe(pjsip('match'));
  });

  it("hands Asterisk the call with the dialled number as Request-URI user (its ${EXTEN}), in the carrier's format, under Record-Route", async () => {
    for (const did of ['+390255550100', '0255550100']) {
      const call = h.double.injectRequest(
        buildInvite({
          from: '+393331234567',
          to: did,
          requestUri: `sip:${did}@192.168.1.20;user=phone`,
          source: CARRIER,
        }),
        { source: CARRIER },
      );
      expect((await call.waitForFinal()).status).toBe(200);
      expect(call.proxy?.destinations).toEqual([`sip:${did}@${PBX.address}:${PBX.port}`]);
      expect(call.proxy?.remainInDialog).toBe(true);
      expect(call.proxy?.headers['x-crocetta-verdict']).toBeUndefined();
    }
  });

  it('tags a suspect call with the header the dial plan reads, and refuses a marked caller before Asterisk', async () => {
    const header = /PJSIP_HEADER\(read,([A-Za-z-]+)\)/.exec(recipe)?.[1] ?? '';
    expect(header).toBe('X-Crocetta-Verdict');
    const withheld = h.double.injectRequest(
      buildInvite({
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
        privacy: 'id',
        to: '+390255550100',
        requestUri: 'sip:+390255550100@192.168.1.20',
        source: CARRIER,
      }),
      { source: CARRIER },
    );
    expect((await withheld.waitForFinal()).status).toBe(200);
    expect(withheld.proxy?.headers[header.toLowerCase()]?.[0]).toMatch(/^suspect; score=0\.\d+/);

    await h.api('POST', '/api/numbers/%2B390298765432/mark', { label: 'nuisance' });
    const nuisance = h.double.injectRequest(
      buildInvite({
        from: '+390298765432',
        to: '+390255550100',
        requestUri: 'sip:+390255550100@192.168.1.20',
        source: CARRIER,
      }),
      { source: CARRIER },
    );
    expect((await nuisance.waitForFinal()).status).toBe(607);
    expect(nuisance.proxy).toBeUndefined();
  });

  it("passes Asterisk's outbound call (Dial(PJSIP/number@crocetta)) to the carrier unscreened", async () => {
    const out = h.double.injectRequest(
      buildInvite({
        from: '<sip:201@192.168.1.10>',
        to: '0287176900',
        requestUri: 'sip:0287176900@192.168.1.20:5060',
        source: PBX,
      }),
      { source: PBX },
    );
    expect((await out.waitForFinal()).status).toBe(200);
    expect(out.proxy?.destinations).toEqual([`sip:0287176900@${CARRIER.address}:${CARRIER.port}`]);
    expect(settings.TRUNK_URI).toBe(`sip:${CARRIER.address}:${CARRIER.port}`);
  });
});
