/**
 * Lines at two carriers on the drachtio double: each carrier a FakeRegistrar reached at its own host:port, so every
 * request crocetta sends goes to the carrier at its Request-URI's host:port, and a request in a call to the carrier
 * its INVITE went to (by Call-ID). And the set-up the tests of one user name at both carriers share
 * (trunk-shared-user*.test.ts): `ufficio` at carrier A (the main number) and at carrier B (the branch's).
 */
import { startRegistered } from './trunk-harness.js';
import type { LookupAll } from '../../src/sip/line-names.js';
import type { Harness } from './crocetta-harness.js';
import { headerOf, type AppRequest } from './drachtio-double.js';
import { FakeRegistrar } from './fake-registrar.js';

/** Routes the app's requests to the carriers by the host:port of their Request-URI. */
export class CarrierRoutes {
  private readonly byCall = new Map<string, FakeRegistrar>();

  /** `hosts`: host:port (as the Request-URI writes it) → the carrier there. */
  constructor(private readonly hosts: ReadonlyMap<string, FakeRegistrar>) {}

  /** The carrier `req` goes to; a request to no carrier's address throws (the test is then wrong). */
  carrierFor(req: AppRequest): FakeRegistrar {
    const callId = headerOf(req.request, 'call-id') ?? '';
    const known = this.byCall.get(callId);
    if (known !== undefined) return known;
    const host = /^sips?:(?:[^@]*@)?([^;>]+)/.exec(req.request.uri)?.[1] ?? '';
    const carrier = this.hosts.get(host);
    if (carrier === undefined) throw new Error(`a request to ${req.request.uri}: no carrier there`);
    this.byCall.set(callId, carrier);
    return carrier;
  }

  /** The carrier's answer to `req`: for the harness's onAppRequest. */
  readonly handle = (req: AppRequest) => this.carrierFor(req).handle(req);

  /** The requests with this method, among `requests`, that went to `carrier`. */
  sentTo(requests: readonly AppRequest[], carrier: FakeRegistrar, method: string): AppRequest[] {
    return requests.filter(
      (r) => r.method === method && this.byCall.get(headerOf(r.request, 'call-id') ?? '') === carrier,
    );
  }
}

/** The user name both carriers gave. */
export const SHARED_USER = 'ufficio';
/** The main line, at carrier A. */
export const MAIN = { number: '+390612345678', password: 'pw-a', registrar: 'sip:127.0.0.1:5090', sbc: '203.0.113.10' };
/** The branch's line, at carrier B. */
export const BRANCH = {
  number: '+390612345690',
  password: 'pw-b',
  registrar: 'sip:127.0.0.2:5070',
  sbc: '198.51.100.20',
};

export interface SharedUserLines {
  h: Harness;
  carrierA: FakeRegistrar;
  carrierB: FakeRegistrar;
  routes: CarrierRoutes;
}

/**
 * crocetta registered as SHARED_USER at both carriers (TRUNK_* the main line, TRUNK_2_* the branch's, each with its
 * number), `env` added (carrier addresses, domains).
 */
export async function startSharedUserLines(
  env: Record<string, string>,
  opts: { lookupAll?: LookupAll } = {},
): Promise<SharedUserLines> {
  const carrierA = new FakeRegistrar({ username: SHARED_USER, password: MAIN.password, realm: 'carrier-a.example' });
  const carrierB = new FakeRegistrar({ username: SHARED_USER, password: BRANCH.password, realm: 'carrier-b.example' });
  const routes = new CarrierRoutes(
    new Map([
      ['127.0.0.1:5090', carrierA],
      ['127.0.0.2:5070', carrierB],
    ]),
  );
  const h = await startRegistered(
    {
      TRUNK_REGISTRAR: MAIN.registrar,
      TRUNK_USERNAME: SHARED_USER,
      TRUNK_PASSWORD: MAIN.password,
      TRUNK_NUMBER: MAIN.number,
      TRUNK_2_REGISTRAR: BRANCH.registrar,
      TRUNK_2_USERNAME: SHARED_USER,
      TRUNK_2_PASSWORD: BRANCH.password,
      TRUNK_2_NUMBER: BRANCH.number,
      ...env,
    },
    { onAppRequest: routes.handle, ...opts },
  );
  return { h, carrierA, carrierB, routes };
}
