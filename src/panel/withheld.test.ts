import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newAttempt } from '../store/test-fixtures.js';
import { hiddenTag, searchedTag, WithheldCallers, WithheldNames } from './withheld.js';

const KEY = Buffer.alloc(32, 7);
const NUMBER = '+393339998877';

describe("a withheld caller's token", () => {
  it('is the same for the same number and register, different for another number or register', () => {
    const names = new WithheldNames(KEY);
    const token = names.token(NUMBER);
    expect(token).toMatch(/^hidden:[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('3339998877');
    expect(new WithheldNames(Buffer.from(KEY)).token(NUMBER)).toBe(token);
    expect(names.token('+393339998878')).not.toBe(token);
    expect(new WithheldNames(randomBytes(32)).token(NUMBER)).not.toBe(token);
  });

  it('is read back by its register only, and not once altered', () => {
    const names = new WithheldNames(KEY);
    const token = names.token(NUMBER);
    expect(names.resolve(token)).toBe(NUMBER);
    expect(names.resolve(names.token('raw:Centralino è'))).toBe('raw:Centralino è');
    expect(new WithheldNames(randomBytes(32)).resolve(token)).toBeNull();
    // One character of the IV changed (a whole base64url character: 6 bits, none of them padding).
    const at = 'hidden:'.length + 5;
    const altered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(names.resolve(altered)).toBeNull();
    for (const junk of ['hidden:', 'hidden:!!', NUMBER, `hidden:${'A'.repeat(400)}`])
      expect(names.resolve(junk)).toBeNull();
  });

  it("is read as four hex digits, the token's first two bytes", () => {
    const token = new WithheldNames(KEY).token(NUMBER);
    const bytes = Buffer.from(token.slice('hidden:'.length), 'base64url');
    expect(hiddenTag(token)).toBe(bytes.subarray(0, 2).toString('hex').toUpperCase());
    expect(hiddenTag(NUMBER)).toBeNull();
    expect(new WithheldNames(KEY).tag(NUMBER)).toBe(hiddenTag(token));
  });

  it('is what a search names when it types the name the register shows, in either language', () => {
    for (const text of [
      'A3F9',
      'a3f9',
      ' Numero nascosto · A3F9 ',
      'nascosto a3f9',
      'Withheld number · a3F9',
      'withheld A3F9',
    ])
      expect(searchedTag(text)).toBe('A3F9');
    for (const text of ['A3F', 'A3F90', 'G3F9', '0212 3456', 'Numero nascosto', 'Rossi A3F9', ''])
      expect(searchedTag(text)).toBeNull();
  });
});

describe('attempts as the office sees them', () => {
  it("replace a withheld attempt's number by its caller's token and leave the others", () => {
    const names = new WithheldNames(KEY);
    const withheld = new WithheldCallers(names, (keys) => Promise.resolve(new Set(keys.filter((k) => k === NUMBER))));
    const rows = [newAttempt(NUMBER, 1000), newAttempt('+390212345678', 2000)].map((a, i) => ({
      ...a,
      id: i + 1,
      withheld: i === 0,
    }));
    const [hidden, shown] = withheld.mask(rows);
    expect(hidden).toMatchObject({ callerKey: names.token(NUMBER), callerE164: null, callerRaw: null });
    expect(shown).toEqual(rows[1]);
    expect(WithheldCallers.shown().mask(rows)).toEqual(rows);
  });

  it('name a withheld call by its token even when its number also called shown: withholding is chosen call by call', () => {
    const names = new WithheldNames(KEY);
    // The register knows NUMBER from a shown call too: it is no "only withheld" caller.
    const withheld = new WithheldCallers(names, () => Promise.resolve(new Set()));
    const rows = [newAttempt(NUMBER, 1000), newAttempt(NUMBER, 2000)].map((a, i) => ({
      ...a,
      id: i + 1,
      withheld: i === 0,
    }));
    const [hidden, shown] = withheld.mask(rows);
    expect(hidden).toMatchObject({ callerKey: names.token(NUMBER), callerE164: null, callerRaw: null });
    expect(shown).toEqual(rows[1]);
  });
});
