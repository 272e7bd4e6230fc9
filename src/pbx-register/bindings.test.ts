import { describe, expect, it } from 'vitest';
import {
  applyRegister,
  bindingFor,
  canonicalAor,
  contactsHeader,
  deliveryUri,
  type Binding,
  type RegisterRequest,
} from './bindings.js';
import { parseContactField, parseSipUri } from './contacts.js';

const LIMITS = { minExpires: 60, maxExpires: 3600, maxContacts: 3 };
const T0 = Date.parse('2026-11-05T09:00:00Z');
const NAT = { address: '198.51.100.7', port: 40123, transport: 'udp' };

function request(o: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    to: '<sip:0612345678@crocetta.example>',
    callId: 'reg-1@192.168.178.1',
    cseq: '2 REGISTER',
    contact: '<sip:0612345678@192.168.178.1:5060>',
    expires: '600',
    source: NAT,
    userAgent: 'FRITZ!OS',
    now: T0,
    ...o,
  };
}

function ok(all: readonly Binding[], req: RegisterRequest) {
  const r = applyRegister(all, req, LIMITS);
  if (r.kind !== 'ok') throw new Error(`refused: ${r.status} ${r.detail}`);
  return r;
}

describe("the PBX's bindings", () => {
  it('stores a contact with the expiry granted, its source address, and lists it in the answer', () => {
    const r = ok([], request());
    expect(r.action).toBe('register');
    expect(r.bindings).toEqual([
      {
        aor: 'sip:0612345678@crocetta.example',
        contact: 'sip:0612345678@192.168.178.1:5060',
        expiresAt: T0 + 600_000,
        updatedAt: T0,
        callId: 'reg-1@192.168.178.1',
        cseq: 2,
        source: NAT,
        userAgent: 'FRITZ!OS',
      },
    ]);
    expect(contactsHeader(r.current, T0 + 100_000)).toBe('<sip:0612345678@192.168.178.1:5060>;expires=500');
  });

  it("prefers the contact's expires parameter to the Expires header, caps at the maximum, and defaults to it", () => {
    expect(ok([], request({ contact: '<sip:a@10.0.0.1>;expires=120', expires: '600' })).bindings[0]?.expiresAt).toBe(
      T0 + 120_000,
    );
    expect(ok([], request({ expires: '86400' })).bindings[0]?.expiresAt).toBe(T0 + 3_600_000);
    expect(ok([], request({ expires: undefined })).bindings[0]?.expiresAt).toBe(T0 + 3_600_000);
    expect(ok([], request({ expires: '99999999999999999999999' })).bindings[0]?.expiresAt).toBe(T0 + 3_600_000);
  });

  it('answers 423 with Min-Expires to a too brief interval', () => {
    expect(applyRegister([], request({ expires: '30' }), LIMITS)).toMatchObject({
      kind: 'refused',
      status: 423,
      minExpires: 60,
    });
    expect(applyRegister([], request({ contact: '<sip:a@10.0.0.1>;expires=1' }), LIMITS)).toMatchObject({
      status: 423,
    });
  });

  it('refreshes in place, and a CSeq that is not higher on the same Call-ID is refused', () => {
    const first = ok([], request());
    const refreshed = ok(first.bindings, request({ cseq: '3 REGISTER', now: T0 + 300_000 }));
    expect(refreshed.bindings).toHaveLength(1);
    expect(refreshed.bindings[0]).toMatchObject({ cseq: 3, expiresAt: T0 + 900_000, updatedAt: T0 + 300_000 });
    expect(applyRegister(refreshed.bindings, request({ cseq: '3 REGISTER' }), LIMITS)).toMatchObject({
      kind: 'refused',
      status: 500,
    });
    // A new Call-ID (the PBX restarted) replaces the binding whatever its CSeq.
    expect(ok(refreshed.bindings, request({ callId: 'reg-2', cseq: '1 REGISTER' })).bindings[0]?.callId).toBe('reg-2');
  });

  it('un-registers one contact with expires=0, or all with * and Expires: 0', () => {
    const two = ok([], request({ contact: '<sip:a@10.0.0.1>, <sip:b@10.0.0.2>' }));
    expect(two.bindings).toHaveLength(2);
    const one = ok(two.bindings, request({ cseq: '3 REGISTER', contact: '<sip:a@10.0.0.1>;expires=0' }));
    expect(one.bindings.map((b) => b.contact)).toEqual(['sip:b@10.0.0.2']);
    expect(one.action).toBe('unregister');
    const none = ok(one.bindings, request({ cseq: '4 REGISTER', contact: '*', expires: '0' }));
    expect(none).toMatchObject({ bindings: [], current: [], action: 'unregister', changed: true });
    expect(
      applyRegister(one.bindings, request({ cseq: '5 REGISTER', contact: '*', expires: '600' }), LIMITS),
    ).toMatchObject({ status: 400 });
    expect(
      applyRegister(one.bindings, request({ cseq: '5 REGISTER', contact: '*, <sip:a@b>', expires: '0' }), LIMITS),
    ).toMatchObject({ status: 400 });
  });

  it('answers a REGISTER without Contact with the current bindings, and drops expired ones', () => {
    const first = ok([], request({ expires: '60' }));
    expect(ok(first.bindings, request({ contact: undefined, now: T0 + 1000 }))).toMatchObject({
      action: 'query',
      changed: false,
      current: first.bindings,
    });
    expect(ok(first.bindings, request({ contact: undefined, now: T0 + 61_000 }))).toMatchObject({
      action: 'query',
      changed: true,
      bindings: [],
    });
  });

  it('keeps at most maxContacts bindings, the most recently refreshed', () => {
    let all: Binding[] = [];
    for (let i = 1; i <= 4; i++)
      all = ok(all, request({ callId: `c${i}`, contact: `<sip:p@10.0.0.${i}>`, now: T0 + i })).bindings;
    expect(all.map((b) => b.contact).sort()).toEqual(['sip:p@10.0.0.2', 'sip:p@10.0.0.3', 'sip:p@10.0.0.4']);
  });

  it.each([
    ['garbage Expires', { expires: 'soon' }, 400],
    ['negative Expires', { expires: '-1' }, 400],
    ['garbage expires parameter', { contact: '<sip:a@10.0.0.1>;expires=abc' }, 400],
    ['a tel: contact', { contact: '<tel:+390612345678>' }, 400],
    ['an unclosed bracket', { contact: '<sip:a@10.0.0.1' }, 400],
    [
      'a huge Contact list',
      { contact: Array.from({ length: 5000 }, (_, i) => `<sip:x${i}@10.0.0.1>`).join(', ') },
      403,
    ],
    ['four contacts', { contact: '<sip:a@h1>, <sip:a@h2>, <sip:a@h3>, <sip:a@h4>' }, 403],
    ['a bad CSeq', { cseq: 'two REGISTER' }, 400],
    ['a To that is no SIP URI', { to: 'nobody' }, 400],
  ])('refuses %s with a proper answer', (_what, change, status) => {
    expect(applyRegister([], request(change as Partial<RegisterRequest>), LIMITS)).toMatchObject({
      kind: 'refused',
      status,
    });
  });

  it('canonicalizes the address-of-record', () => {
    expect(canonicalAor('"Office" <SIP:0612345678@Crocetta.Example:5060;transport=udp>;tag=x')).toBe(
      'sip:0612345678@crocetta.example',
    );
    expect(canonicalAor('sip:pbx@10.0.0.1;tag=1')).toBe('sip:pbx@10.0.0.1');
  });
});

describe('where calls for the PBX go', () => {
  const binding = (contact: string, source = NAT, updatedAt = T0): Binding => ({
    aor: 'sip:pbx@crocetta',
    contact,
    expiresAt: T0 + 600_000,
    updatedAt,
    callId: 'c',
    cseq: 1,
    source,
    userAgent: null,
  });

  it('to the contact when the REGISTER came from it', () => {
    const lan = { address: '192.168.178.1', port: 5060, transport: 'udp' };
    expect(deliveryUri(binding('sip:pbx@192.168.178.1:5060;transport=udp', lan))).toBe(
      'sip:pbx@192.168.178.1:5060;transport=udp',
    );
    expect(deliveryUri(binding('sip:pbx@192.168.178.1', lan))).toBe('sip:pbx@192.168.178.1');
  });

  it('to the source address and transport when the contact is behind NAT, or the PBX registered over TCP', () => {
    expect(deliveryUri(binding('sip:pbx@192.168.178.1:5060;rinstance=x'))).toBe(
      'sip:pbx@198.51.100.7:40123;rinstance=x',
    );
    const tcp = { address: '198.51.100.7', port: 51000, transport: 'tcp' };
    expect(deliveryUri(binding('sip:pbx@192.168.178.1:5060;transport=udp', tcp))).toBe(
      'sip:pbx@198.51.100.7:51000;transport=tcp',
    );
    const v6 = { address: '2001:db8::7', port: 5060, transport: 'udp' };
    expect(deliveryUri(binding('sip:pbx@fritz.box', v6))).toBe('sip:pbx@[2001:db8::7]:5060');
  });

  it('picks the binding registered for the DID, else the most recently refreshed, never an expired one', () => {
    const a = { ...binding('sip:office@10.0.0.1', NAT, T0 + 2), aor: 'sip:0611111111@crocetta' };
    const b = binding('sip:390622222222@10.0.0.2', NAT, T0 + 1);
    expect(bindingFor([a, b], '+390622222222', T0)).toBe(b); // contact user, written without +
    expect(bindingFor([a, b], '+390611111111', T0)).toBe(a); // AOR user, written nationally
    expect(bindingFor([a, b], '+390633333333', T0)).toBe(a);
    expect(bindingFor([b, a], null, T0)).toBe(a);
    expect(bindingFor([a, b], '+390622222222', T0 + 600_000)).toBeNull();
  });
});

describe('Contact and SIP URI parsing', () => {
  it('reads name-addr and addr-spec forms, display names with commas, and parameters', () => {
    expect(
      parseContactField('"Fritz, Box" <sip:a@10.0.0.1;transport=tcp>;expires=60;q=0.5, sip:b@10.0.0.2;expires=30', 5),
    ).toEqual({
      ok: true,
      value: {
        kind: 'list',
        contacts: [
          { uri: 'sip:a@10.0.0.1;transport=tcp', expires: 60 },
          { uri: 'sip:b@10.0.0.2', expires: 30 },
        ],
      },
    });
  });

  it('splits a SIP URI', () => {
    expect(parseSipUri('sips:user@[2001:db8::1]:5061;transport=tls?X=1')).toEqual({
      scheme: 'sips',
      user: 'user',
      host: '2001:db8::1',
      port: 5061,
      params: ['transport=tls'],
    });
    expect(parseSipUri('sip:host')).toMatchObject({ user: null, host: 'host', port: null });
    expect(parseSipUri('sip:a@host:99999')).toBeNull();
    expect(parseSipUri('http://x')).toBeNull();
  });
});
