/**
 * What the Kamailio front's three real tests (test/e2e/kamailio-front-real, -tcp-real, -tls-real) set up alike: the
 * loopback address each piece listens on, and the pair behind the fronts, a real drachtio-server on PAIR with crocetta
 * connected to it, the PBX by address and the test's callers marked nuisance as the office would.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Crocetta } from '../../src/app.js';
import { markNumber, startE2eCrocetta } from './e2e-crocetta.js';
import { startDrachtio, type RealDrachtio } from './real-sip-tools.js';

/** The carrier (its callers). */
export const CARRIER = '127.0.0.1';
/** The pair: drachtio-server, crocetta beside it. */
export const PAIR = '127.0.0.2';
/** The fronts. */
export const KAMAILIO = '127.0.0.3';
export const PBX = '127.0.0.4';
/** crocetta's API token. */
export const TOKEN = 'e2e-token-0123456789';
const SECRET = 'cymru';

/** drachtio-server on PAIR, its admin port `admin`, a SIP contact on each of `sipPorts` over `transport`. */
export function startPairDrachtio(
  dir: string,
  admin: number,
  sipPorts: readonly number[],
  transport = 'udp,tcp',
): Promise<RealDrachtio> {
  const contacts = sipPorts.map((p) => `<contact>sip:${PAIR}:${p};transport=${transport}</contact>`).join('');
  return startDrachtio(join(dir, 'drachtio'), { admin, sip: sipPorts[0] ?? 0 }, SECRET, {
    sip: `<contacts>${contacts}</contacts>`,
  });
}

/** crocetta on the pair's drachtio-server (`admin`), PBX_URI the PBX on `pbxPort`, the `nuisance` numbers marked. */
export async function startPairCrocetta(
  dir: string,
  admin: number,
  pbxPort: number,
  nuisance: readonly string[],
  env: Record<string, string> = {},
): Promise<Crocetta> {
  const app = await startE2eCrocetta({
    dir,
    adminPort: admin,
    secret: SECRET,
    token: TOKEN,
    pbxUri: `sip:${PBX}:${pbxPort}`,
    env,
  });
  for (const number of nuisance) expect(await markNumber(app, TOKEN, number, 'nuisance')).toBe(200);
  return app;
}
