/**
 * crocetta registered to a scripted carrier (test/support/fake-registrar.ts) through the drachtio double: the
 * trunk-* integration tests' common start (the trunk's variables, the harness, the wait for the registrations).
 */
import type { TrunkClient } from '../../src/sip/trunk-client.js';
import { eventually, startHarness, type Harness, type HarnessOptions } from './crocetta-harness.js';

/** The password every FakeRegistrar of these tests is given for the first account. */
export const TRUNK_PASSWORD = 'pw';

/** The first account's variables: `user` at `registrar`, AOR domain voip.carrier.example. */
export function trunkEnv(user: string, registrar = 'sip:127.0.0.1:5090'): Record<string, string> {
  return {
    TRUNK_REGISTRAR: registrar,
    TRUNK_USERNAME: user,
    TRUNK_PASSWORD: TRUNK_PASSWORD,
    TRUNK_DOMAIN: 'voip.carrier.example',
  };
}

/** Every account registered. */
export function allRegistered(trunk: TrunkClient | null): boolean {
  return trunk !== null && trunk.accounts.every((a) => a.status.state === 'registered');
}

/** Starts crocetta (startHarness) and waits until `ready` says so: by default, until every account is registered. */
export async function startRegistered(
  env: Record<string, string>,
  options: HarnessOptions,
  ready: (trunk: TrunkClient | null) => boolean = allRegistered,
): Promise<Harness> {
  const h = await startHarness(env, options);
  try {
    await eventually(() => (ready(h.app.trunk) ? true : undefined), 5000);
  } catch (err) {
    await h.stop();
    throw err;
  }
  return h;
}
