/** Hand-built fixtures for the trunk tests. */
import type { TrunkInput } from './settings.js';

/**
 * A `trunk:` section as the config gives it after validation: the first account 0612345678 at `sip:127.0.0.1:5090`,
 * password `p`, no other account, every other key at its plain value; `over` changes what the test is about.
 */
export function trunkInput(over: Partial<TrunkInput> = {}): TrunkInput {
  return {
    registrar: 'sip:127.0.0.1:5090',
    username: '0612345678',
    password: 'p',
    authUsername: '',
    domain: '',
    expires: 600,
    contactHost: '',
    inboundFrom: [],
    keepaliveSeconds: 30,
    retry: { minSeconds: 5, maxSeconds: 300 },
    ...over,
  };
}
