import { describe, expect, it } from 'vitest';
import { UNKNOWN_CALLER } from '../callerid/types.js';
import { parseAction, type Action } from '../screening/policy.js';
import type { Decision } from '../screening/types.js';
import {
  asRecorded,
  failOpenPlan,
  feasibleAction,
  planCall,
  refusesCaller,
  type CallPlanSettings,
  type PlanInput,
} from './call-plan.js';
import type { ForwardTarget } from './forward-target.js';
import type { Screening } from './screen.js';

const SETTINGS: CallPlanSettings = {
  tag: { header: 'X-Crocetta-Verdict' },
  markRefusals: false,
  ringDelayMs: 0,
  reject608: { name: 'Acme', url: '', email: '', tel: '', callInfoUri: '' },
  forwardMode: 'proxy',
};
const ROUTABLE: ForwardTarget = { routable: true, user: '0612345678', replaced: null };
const DECISION: Decision = {
  verdict: 'nuisance',
  score: 0.9,
  reasons: [{ code: 'marked-nuisance', text: 'marked nuisance by you', weight: 1 }],
};

const AUDIO_OFFER = [
  'v=0',
  'o=carrier 1 1 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 40000 RTP/AVP 8 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

function input(action: string | Action, over: Partial<PlanInput> = {}): PlanInput {
  const screening: Screening = {
    identity: UNKNOWN_CALLER,
    called: null,
    callerKey: null,
    decision: DECISION,
    action: typeof action === 'string' ? parseAction(action) : action,
    fault: null,
  };
  return { kind: 'call', screening, target: ROUTABLE, canAnnounce: true, offer: null, ...over };
}

describe('the call plan: what to send and what the register row says, decided once', () => {
  it('forwards allowed and tagged calls; the row says forwarded, the status comes later', () => {
    const allow = planCall(input('allow'), SETTINGS);
    expect(allow).toMatchObject({
      send: { kind: 'forward', headers: {} },
      row: { action: 'allow', outcome: 'forwarded', finalStatus: null },
      sent: 'forward',
    });
    const tag = planCall(input('tag'), { ...SETTINGS, forwardMode: 'redirect' });
    expect(tag.send).toEqual({ kind: 'forward', headers: { 'X-Crocetta-Verdict': 'nuisance; score=0.90' } });
    expect(tag.sent).toBe('redirect');
  });

  it('refuses with the configured status; the row already holds it (608 carries its Call-Info)', () => {
    const plan = planCall(input('reject:608'), { ...SETTINGS, ringDelayMs: 1500 });
    expect(plan.send).toMatchObject({ kind: 'refuse', ringMs: 1500, refusal: { status: 608, reason: 'Rejected' } });
    expect(plan.send.kind === 'refuse' && plan.send.refusal.headers['Call-Info']).toContain('purpose=jwscard');
    expect(plan.row).toEqual({
      action: 'reject:608',
      reasons: DECISION.reasons,
      outcome: 'rejected',
      finalStatus: 608,
    });
    expect(plan.sent).toBe('reject 608');
  });

  it('announcements and hang-ups plan their fallback refusal and record the status they end with', () => {
    expect(planCall(input('announce-early'), SETTINGS)).toMatchObject({
      send: { kind: 'announce', mode: 'early', after: { status: 607 }, fallback: { status: 607 } },
      row: { action: 'announce-early', finalStatus: 607 },
      sent: 'announce-early',
    });
    expect(planCall(input('announce-answer'), SETTINGS)).toMatchObject({
      send: { mode: 'answer', after: null },
      row: { finalStatus: 200 },
    });
    expect(planCall(input('hangup'), SETTINGS)).toMatchObject({
      send: { kind: 'hangup', fallback: { status: 607 } },
      row: { finalStatus: 200 },
    });
  });

  it('a MESSAGE, or a call without an announcer, gets 607 where it cannot hear or be answered', () => {
    expect(planCall(input('hangup', { kind: 'message' }), SETTINGS)).toMatchObject({
      action: { kind: 'reject', status: 607 },
      row: { action: 'reject:607' },
    });
    expect(planCall(input('announce-answer', { canAnnounce: false }), SETTINGS).row).toMatchObject({
      action: 'reject:607',
      finalStatus: 607,
    });
    expect(feasibleAction({ kind: 'hangup' }, 'call', false)).toEqual({ action: { kind: 'hangup' }, problem: null });
  });

  it('the human check: answered with the tag for the PBX; its row is pending until the check ends', () => {
    const plan = planCall(input('check:5', { offer: AUDIO_OFFER }), SETTINGS);
    expect(plan.send).toEqual({
      kind: 'check',
      waitSeconds: 5,
      headers: { 'X-Crocetta-Verdict': 'nuisance; score=0.90; check=passed' },
      fallbackHeaders: { 'X-Crocetta-Verdict': 'nuisance; score=0.90' },
    });
    expect(plan.row).toEqual({ action: 'check:5', reasons: DECISION.reasons, outcome: 'pending', finalStatus: null });
    expect(plan).toMatchObject({ sent: 'check:5', notPossible: null });
  });

  it('a MESSAGE, or an INVITE without audio crocetta can answer, is tagged instead of checked, saying why', () => {
    const message = planCall(input('check', { kind: 'message' }), SETTINGS);
    expect(message).toMatchObject({
      action: { kind: 'tag' },
      send: { kind: 'forward', headers: { 'X-Crocetta-Verdict': 'nuisance; score=0.90' } },
      row: { action: 'tag', outcome: 'forwarded' },
      notPossible: 'a SIP MESSAGE cannot press a key',
    });
    expect(message.row.reasons.at(-1)).toMatchObject({
      code: 'check-not-possible',
      text: 'human check not possible (a SIP MESSAGE cannot press a key): tagged instead',
    });
    const video = AUDIO_OFFER.replace('m=audio 40000 RTP/AVP 8 101', 'm=video 40000 RTP/AVP 96');
    expect(planCall(input('check', { offer: video }), SETTINGS).notPossible).toBe('its offer has no audio');
    expect(planCall(input('check', { offer: null }), SETTINGS).notPossible).toBe('the INVITE has no SDP offer');
    const g729 = AUDIO_OFFER.replace('RTP/AVP 8 101', 'RTP/AVP 18 101').replace('8 PCMA', '18 G729');
    expect(planCall(input('check', { offer: g729 }), SETTINGS).row.action).toBe('tag');
    expect(planCall(input('check', { offer: AUDIO_OFFER, canAnnounce: false }), SETTINGS).notPossible).toBe(
      'media is off',
    );
  });

  it('a failed check counts as a refusal of the caller, as a refusal by the PBX does', () => {
    const done = { outcome: 'rejected' as const, finalStatus: 200, playedMs: 800, hungUpBy: null, sent: null };
    expect(refusesCaller({ ...done, check: 'no-digit' }, [486])).toBe(true);
    expect(refusesCaller({ ...done, check: 'wrong-digit' }, [486])).toBe(true);
    expect(refusesCaller({ ...done, outcome: 'answered', check: 'passed' }, [486])).toBe(false);
    expect(refusesCaller({ ...done, outcome: 'declined', finalStatus: 486 }, [486])).toBe(true);
    expect(refusesCaller({ ...done, outcome: 'declined', finalStatus: 486 }, [])).toBe(false);
  });

  it('a forward with no Request-URI user to vouch for becomes 404 (414 when too long), with the reason in the row', () => {
    const unroutable = planCall(
      input('tag', { target: { routable: false, received: '"x"x', tooLong: false } }),
      SETTINGS,
    );
    expect(unroutable.send).toMatchObject({ kind: 'refuse', ringMs: 0, refusal: { status: 404 } });
    expect(unroutable.row).toMatchObject({ action: 'unroutable', outcome: 'rejected', finalStatus: 404 });
    expect(unroutable.row.reasons.at(-1)).toMatchObject({ code: 'unroutable-called-number' });
    expect(unroutable.action).toEqual({ kind: 'tag' });
    const tooLong = planCall(
      input('allow', { target: { routable: false, received: 'A'.repeat(300), tooLong: true } }),
      SETTINGS,
    );
    expect(tooLong.row.finalStatus).toBe(414);
    // A refusal needs no route: an unroutable nuisance caller still gets the configured refusal.
    expect(
      planCall(input('reject', { target: { routable: false, received: '', tooLong: false } }), SETTINGS).row
        .finalStatus,
    ).toBe(607);
  });

  it('the forward target may be given as a function: worked out for a forward only, never for a refusal', () => {
    const asked: string[] = [];
    const lazy =
      (t: ForwardTarget, name: string): (() => ForwardTarget) =>
      () => {
        asked.push(name);
        return t;
      };
    const unroutable: ForwardTarget = { routable: false, received: '"x"x', tooLong: false };
    expect(planCall(input('tag', { target: lazy(unroutable, 'tag') }), SETTINGS).row.finalStatus).toBe(404);
    expect(planCall(input('allow', { target: lazy(ROUTABLE, 'allow') }), SETTINGS).send).toEqual({
      kind: 'forward',
      headers: {},
    });
    for (const action of ['reject', 'reject:608', 'announce-early', 'hangup']) {
      expect(planCall(input(action, { target: lazy(unroutable, action) }), SETTINGS).send.kind).not.toBe('forward');
    }
    expect(asked).toEqual(['tag', 'allow']);
  });

  it('a forward no PBX can take (none registered) is said by the row, no-pbx 480, asked once with the plan', () => {
    const asked: Array<ForwardTarget> = [];
    const destination = (to: string | null) => (t: ForwardTarget) => {
      asked.push(t);
      return to;
    };
    const none = planCall(input('tag', { destination: destination(null) }), SETTINGS);
    // What to send stays the forward's (it answers 480 itself: forward-call.ts), with where it goes: nowhere.
    expect(none.send).toEqual({ kind: 'forward', headers: { 'X-Crocetta-Verdict': 'nuisance; score=0.90' } });
    expect(none.destination).toBeNull();
    expect(none.row).toMatchObject({ action: 'no-pbx', outcome: 'failed', finalStatus: 480 });
    expect(none.action).toEqual({ kind: 'tag' });
    const there = planCall(input('allow', { destination: destination('sip:0612345678@192.0.2.5') }), SETTINGS);
    expect(there.destination).toBe('sip:0612345678@192.0.2.5');
    expect(there.row).toMatchObject({ action: 'allow', outcome: 'forwarded', finalStatus: null });
    expect(asked).toEqual([ROUTABLE, ROUTABLE]);
    // Never asked for a refusal, a check or an unroutable request; the fail-open forward keeps the plan's answer.
    for (const action of ['reject', 'hangup', 'check']) {
      expect(
        planCall(input(action, { destination: destination(null), offer: AUDIO_OFFER }), SETTINGS).row.action,
      ).not.toBe('no-pbx');
    }
    const unroutable = { routable: false, received: '"x"x', tooLong: false } as const;
    expect(planCall(input('allow', { target: unroutable, destination: destination(null) }), SETTINGS).row.action).toBe(
      'unroutable',
    );
    expect(asked).toHaveLength(2);
    expect(failOpenPlan(none).destination).toBeNull();
  });

  it('fail open keeps the row and forwards untagged', () => {
    const plan = failOpenPlan(planCall(input('reject'), SETTINGS));
    expect(plan.send).toEqual({ kind: 'forward', headers: {} });
    expect(plan.row.outcome).toBe('rejected');
    expect(plan.sent).toBe('forward (register fault)');
  });

  it('an outcome is written only where it differs from the row', () => {
    const { row } = planCall(input('reject'), SETTINGS);
    const done = { outcome: 'rejected' as const, finalStatus: 607, playedMs: null, hungUpBy: null, sent: 'reject 607' };
    expect(asRecorded(row, done)).toBe(true);
    expect(asRecorded(row, { ...done, outcome: 'cancelled', finalStatus: null })).toBe(false);
    expect(asRecorded(row, { ...done, playedMs: 3000 })).toBe(false);
    expect(asRecorded(row, { ...done, check: 'no-digit', checkMs: 9000 })).toBe(false);
  });
});
