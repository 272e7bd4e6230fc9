/**
 * calledNumber compares a request with the cache entry of the previous request's called number before hashing
 * anything: an office's calls go mostly to one DID. The answers must be what reading the URIs gives, whatever
 * order the DIDs come in.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { headersOf } from '../../test/support/sip-headers.js';

const hashed = vi.hoisted(() => ({ count: 0 }));
vi.mock('./recent-cache.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./recent-cache.js')>();
  return {
    ...actual,
    hashText: (hash: number, text: string, end?: number) => {
      hashed.count++;
      return actual.hashText(hash, text, end);
    },
  };
});

const { calledNumber } = await import('./called-number.js');

const IT = { defaultCountry: 'IT' };
const to = (did: string) => ({ to: `<sip:${did}@10.0.0.5>` });
const ask = (did: string) => calledNumber(headersOf(to(did), `sip:${did}@10.0.0.5`), IT);

describe('calledNumber, the previous request first', () => {
  beforeEach(() => {
    hashed.count = 0;
  });

  it('answers a request to the same DID as the one before without hashing its values', () => {
    for (let i = 0; i < 3; i++) ask('0612345670'); // kept from the second (the cache's admission)
    hashed.count = 0;
    const again = ask('0612345670');
    expect(again?.e164).toBe('+390612345670');
    expect(hashed.count).toBe(0);
  });

  it('gives each DID its own number, in any order, the same object for the same values', () => {
    const dids = ['0612345671', '0612345672', '0612345673', '0612345671'];
    const first = new Map<string, unknown>();
    for (let round = 0; round < 4; round++) {
      for (const did of dids) {
        const n = ask(did);
        expect(n?.e164).toBe(`+39${did}`);
        if (round >= 2) {
          if (!first.has(did)) first.set(did, n);
          expect(n).toBe(first.get(did));
        }
      }
    }
    // Same Request-URI, another To: not the previous answer's values.
    ask('0612345674');
    ask('0612345674');
    const other = calledNumber(headersOf({ to: '<sip:reception@x>' }, 'sip:0612345674@10.0.0.5'), IT);
    expect(other?.e164).toBe('+390612345674');
    expect(calledNumber(headersOf(to('0612345674'), 'sip:pbx@10.0.0.5'), IT)?.e164).toBe('+390612345674');
  });

  it('reads another default country or trunk user name anew', () => {
    ask('0612345675');
    ask('0612345675');
    const fr = calledNumber(headersOf(to('0612345675'), 'sip:0612345675@10.0.0.5'), { defaultCountry: 'FR' });
    expect(fr?.e164).toBe('+33612345675');
    const trunk = calledNumber(headersOf(to('0612345675'), 'sip:0612345675@10.0.0.5'), {
      defaultCountry: 'IT',
      trunkUsername: '0612345675',
    });
    expect(trunk?.e164).toBe('+390612345675');
  });
});
