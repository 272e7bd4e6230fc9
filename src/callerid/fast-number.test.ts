/**
 * The fast path (fast-number.ts) against libphonenumber-js itself: for every country the metadata knows, numbers
 * generated from each of its number-type patterns (and broken versions of them), in every shape a carrier sends
 * (+CC, 00CC, CC without +, national with and without the national prefix, with separators), parsed for several
 * default countries; plus Italian numbers in every shape and junk. Whatever the fast path answers must equal what
 * the library path answers, field by field; where it is unsure it must say so (undefined) and the library answers.
 *
 * FAST_NUMBER_ROUNDS=N multiplies the generated numbers (default 1, ~140k comparisons; the by-hand run recorded in
 * the CHANGELOG used more).
 */
import metadataJson from 'libphonenumber-js/metadata.max.json';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { callingCodeFacts, hasLength, lengthSet, parseFast } from './fast-number.js';
import { MAX_RAW_NUMBER, sanitizeText } from './text.js';
import { dialable, normalizeNumber, parseDialable, parseDialableWithLibrary } from './normalize-number.js';

const META = metadataJson as unknown as {
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, unknown[]>;
  nonGeographic?: Record<string, unknown>;
};
const COUNTRIES = Object.keys(META.countries).sort();
const ROUNDS = Math.max(1, Number(process.env['FAST_NUMBER_ROUNDS'] ?? 1) || 1);
/** The by-hand run takes minutes; CI's default size keeps the suite's timeout. */
const TIMEOUT = ROUNDS > 1 ? 120_000 * ROUNDS : undefined;

// ---- random strings matching a metadata pattern (the subset of regular expressions the metadata uses) ----

type Node =
  { k: 'alt'; options: Node[][] } | { k: 'set'; chars: string } | { k: 'rep'; node: Node; min: number; max: number };

function parsePattern(src: string): Node {
  let i = 0;
  const DIGITS = '0123456789';
  function alt(): Node {
    const options: Node[][] = [seq()];
    while (src[i] === '|') {
      i++;
      options.push(seq());
    }
    return { k: 'alt', options };
  }
  function seq(): Node[] {
    const out: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let node = atom();
      for (;;) {
        const c = src[i];
        if (c === '?') node = { k: 'rep', node, min: 0, max: 1 };
        else if (c === '*') node = { k: 'rep', node, min: 0, max: 3 };
        else if (c === '+') node = { k: 'rep', node, min: 1, max: 4 };
        else if (c === '{') {
          const end = src.indexOf('}', i);
          const [a, b] = src.slice(i + 1, end).split(',');
          const min = Number(a);
          const max = b === undefined ? min : b === '' ? min + 3 : Number(b);
          node = { k: 'rep', node, min, max };
          i = end;
        } else break;
        i++;
      }
      out.push(node);
    }
    return out;
  }
  function atom(): Node {
    const c = src[i++]!;
    if (c === '(') {
      if (src[i] === '?' && src[i + 1] === ':') i += 2;
      const node = alt();
      i++; // ')'
      return node;
    }
    if (c === '[') {
      let negate = false;
      if (src[i] === '^') {
        negate = true;
        i++;
      }
      let chars = '';
      while (src[i] !== ']') {
        let a = src[i++]!;
        if (a === '\\') {
          a = src[i++]!;
          if (a === 'd') {
            chars += DIGITS;
            continue;
          }
        }
        if (src[i] === '-' && src[i + 1] !== ']') {
          const b = src[i + 1]!;
          i += 2;
          for (let x = a.charCodeAt(0); x <= b.charCodeAt(0); x++) chars += String.fromCharCode(x);
        } else chars += a;
      }
      i++;
      if (negate) chars = [...DIGITS].filter((d) => !chars.includes(d)).join('');
      return { k: 'set', chars };
    }
    if (c === '\\') {
      const e = src[i++]!;
      return { k: 'set', chars: e === 'd' ? DIGITS : e };
    }
    return { k: 'set', chars: c };
  }
  return alt();
}

function generate(node: Node, rand: () => number): string {
  switch (node.k) {
    case 'set':
      return node.chars[Math.floor(rand() * node.chars.length)] ?? '';
    case 'rep': {
      const n = node.min + Math.floor(rand() * (Math.min(node.max, node.min + 6) - node.min + 1));
      let s = '';
      for (let j = 0; j < n; j++) s += generate(node.node, rand);
      return s;
    }
    case 'alt': {
      const option = node.options[Math.floor(rand() * node.options.length)]!;
      return option.map((n) => generate(n, rand)).join('');
    }
  }
}

// ---- inputs ----

/** Every type pattern of a country, plus its general national-number pattern. */
function patternsOf(country: string): string[] {
  const m = META.countries[country]!;
  const out = [String(m[2])];
  for (const t of (m[11] as unknown[] | undefined) ?? [])
    if (Array.isArray(t) && typeof t[0] === 'string') out.push(t[0]);
  return out;
}

/** A national significant number and some broken versions of it. */
function variants(nsn: string, rand: () => number): string[] {
  const d = () => String(Math.floor(rand() * 10));
  const at = Math.floor(rand() * Math.max(1, nsn.length));
  return [
    nsn,
    nsn.slice(0, -1),
    nsn + d(),
    nsn + d() + d() + d(),
    '0' + nsn,
    nsn.slice(0, at) + d() + nsn.slice(at + 1),
  ].filter((s) => s !== '');
}

/** The shapes carriers put a number in. */
function shapes(country: string, nsn: string, rand: () => number): string[] {
  const m = META.countries[country]!;
  const cc = String(m[0]);
  const prefix = typeof m[5] === 'string' ? m[5] : '';
  const out = [`+${cc}${nsn}`, `00${cc}${nsn}`, `${cc}${nsn}`, nsn, `${prefix}${nsn}`, `+${cc} (0)${nsn}`];
  // A visual separator somewhere.
  const cut = 1 + Math.floor(rand() * Math.max(1, nsn.length - 1));
  out.push(`+${cc} ${nsn.slice(0, cut)}-${nsn.slice(cut)}`, `${prefix}${nsn.slice(0, cut)} ${nsn.slice(cut)}`);
  return out;
}

const HOME_COUNTRIES = ['IT', 'US', 'FR', 'GB', 'DE', 'VA', 'SM', 'AR', 'BR', 'MX', 'RU', 'CN', 'IN', 'CH', 'XX', 'it'];

interface Tally {
  compared: number;
  fast: number;
}

/** Compares both paths on one raw input for one default country. */
function compare(raw: string, home: string, tally: Tally): void {
  const d = dialable(raw);
  if ('flag' in d) return; // no digits to parse: both paths flag it in dialable()
  const library = parseDialableWithLibrary(d.intl, d.digits, home);
  const upper = home.toUpperCase();
  const fast = parseFast(d.intl, d.digits, upper in META.countries ? upper : undefined);
  tally.compared++;
  // parseDialable's early flags (too short/long, short codes) come before either path.
  const early = d.digits.length === 0 || d.digits.length > 17 || (!d.intl && d.digits.length <= 5);
  if (fast !== undefined && !early) {
    tally.fast++;
    if (JSON.stringify(fast) !== JSON.stringify(library)) {
      expect({ raw, home, intl: d.intl, digits: d.digits, fast }).toEqual({
        raw,
        home,
        intl: d.intl,
        digits: d.digits,
        fast: library,
      });
    }
  }
  expect(parseDialable(d.intl, d.digits, home)).toEqual(library);
}

describe('fast number parsing equals libphonenumber-js', () => {
  it(
    'on every country, numbers of every type pattern in every shape, for several default countries',
    () => {
      const rand = mulberry32(20261202);
      const tally: Tally = { compared: 0, fast: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        for (const country of COUNTRIES) {
          const other = COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!;
          for (const pattern of patternsOf(country)) {
            const node = parsePattern(pattern);
            const nsn = generate(node, rand);
            for (const v of variants(nsn, rand)) {
              // The office in Italy, in the number's own country, and (for the unbroken number) somewhere else.
              const homes = v === nsn ? ['IT', country, other] : ['IT', country];
              for (const raw of shapes(country, v, rand)) for (const home of homes) compare(raw, home, tally);
            }
          }
        }
      }
      // The by-hand run's record (FAST_NUMBER_ROUNDS set): how many were compared, how many the fast path answered.
      if (process.env['FAST_NUMBER_ROUNDS'] !== undefined) {
        process.stdout.write(`fast-number: ${tally.compared} compared, ${tally.fast} answered by the fast path\n`);
      }
      // The fast path must actually answer most of these (it would be a no-op otherwise).
      expect(tally.compared).toBeGreaterThan(50_000 * ROUNDS);
      expect(tally.fast / tally.compared).toBeGreaterThan(0.9);
    },
    TIMEOUT,
  );

  it(
    'on random digit strings of every length, with +, 00 or nothing, for many default countries',
    () => {
      const rand = mulberry32(7);
      const tally: Tally = { compared: 0, fast: 0 };
      for (let j = 0; j < 4000 * ROUNDS; j++) {
        const len = 1 + Math.floor(rand() * 19);
        let digits = '';
        for (let k = 0; k < len; k++) digits += String(Math.floor(rand() * 10));
        const lead = ['', '+', '00', '0', '011'][Math.floor(rand() * 5)]!;
        const home = HOME_COUNTRIES[Math.floor(rand() * HOME_COUNTRIES.length)]!;
        compare(lead + digits, home, tally);
      }
      expect(tally.fast).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it('on Italian numbers in every shape a carrier sends them', () => {
    const tally: Tally = { compared: 0, fast: 0 };
    const italian = [
      '021234567',
      '0212345678',
      '06 6988 1234',
      '0669812345',
      '0549 123456',
      '055 123456',
      '0823 123456',
      '3331234567',
      '3201234567',
      '391234567',
      '3912345678',
      '39312345678',
      '393331234567',
      '3902123456',
      '39021234567',
      '390612345678',
      '3906698812345',
      '800123456',
      '803123',
      '892123',
      '899123456',
      '840123456',
      '848123456',
      '199123456',
      '178123456',
      '0844123456',
      '4312345678',
      '5512345678',
      '70123456789',
      '1234567',
    ];
    const shapesIt = (n: string): string[] => [
      n,
      `+39${n}`,
      `0039${n}`,
      `39${n}`,
      `+39 ${n}`,
      `+39-${n}`,
      `(+39) ${n}`,
      `+39.${n}`,
      `0039 ${n}`,
      `+390${n}`,
      `${n} `,
      ` ${n}`,
      `+3939${n}`,
      `003939${n}`,
      `00${n}`,
      `0${n}`,
    ];
    for (const n of italian)
      for (const raw of shapesIt(n)) for (const home of ['IT', 'VA', 'SM', 'US', 'FR']) compare(raw, home, tally);
    // The carrier shapes of valid Italian numbers never need the library.
    for (const raw of [
      '+390212345678',
      '00390212345678',
      '390212345678',
      '0212345678',
      '+393331234567',
      '3331234567',
    ]) {
      const d = dialable(raw);
      if ('flag' in d) throw new Error(raw);
      expect(parseFast(d.intl, d.digits, 'IT')).toBeDefined();
    }
    expect(tally.fast / tally.compared).toBeGreaterThan(0.9);
  });

  it('on junk and hostile input the public normalizeNumber answers as the library path does', () => {
    const junk = [
      '',
      '+',
      '++39',
      '+0',
      '+00',
      '0',
      '00',
      '000',
      '0000000000',
      '+000000000',
      '+1',
      '+12',
      '+123',
      '+1234',
      '+99912345',
      '+80012345678',
      '+882123456789',
      '+87912345',
      '+999',
      '12345678901234567890',
      '+123456789012345678',
      'abc',
      '+39 ABC 123',
      '３３３１２３４５６７',
      '٣٣٣١٢٣٤٥٦٧',
      '+39٣٣٣١٢٣٤٥٦٧',
      '33312345\u0000',
      '333\u202e1234567',
      'tel:+390212345678;phone-context=x',
      '+39 02 1234567 ext 12',
      '02#1234567',
      '*31#0212345678',
      '+39(0)212345678',
      '0039 0039 333',
      '+39 +39 333',
      '-',
      '()',
      '+ 39 333 123 4567',
      '3'.repeat(64),
      '+' + '9'.repeat(17),
    ];
    for (const raw of junk) {
      for (const home of HOME_COUNTRIES) {
        // normalizeNumber's own steps before parsing: sanitize, drop `tel:`, find the dialable form.
        const clean = sanitizeText(raw, MAX_RAW_NUMBER);
        const d = dialable(clean.length > 4 && clean.slice(0, 4).toLowerCase() === 'tel:' ? clean.slice(4) : clean);
        const n = normalizeNumber(raw, home);
        if ('flag' in d) {
          expect(n.e164).toBeNull();
          continue;
        }
        const library = parseDialableWithLibrary(d.intl, d.digits, home);
        expect({ raw, home, e164: n.e164, type: n.type, valid: n.valid, country: n.country, flags: n.flags }).toEqual({
          raw,
          home,
          ...library,
        });
      }
    }
  });
});

describe('what the fast path reads from the metadata once per process', () => {
  it('possible lengths as bit masks: the first, the last and every length as the lists say', () => {
    const lists: unknown[] = [];
    for (const m of Object.values(META.countries)) {
      lists.push(m[3]);
      if (Array.isArray(m[11])) for (const t of m[11] as unknown[]) if (Array.isArray(t)) lists.push(t[1]);
    }
    let checked = 0;
    for (const list of lists) {
      if (!Array.isArray(list)) {
        expect(lengthSet(list)).toBeUndefined();
        continue;
      }
      const set = lengthSet(list)!;
      expect([set.min, set.max]).toEqual([list[0], list[list.length - 1]]);
      for (let n = 0; n <= 40; n++) expect([list, n, hasLength(set, n)]).toEqual([list, n, list.indexOf(n) >= 0]);
      checked++;
    }
    expect(checked).toBeGreaterThan(800);
    // A length the mask cannot hold: compile refuses the plan, and the library answers for its country.
    expect(() => lengthSet([6, 31])).toThrow(RangeError);
    expect(() => lengthSet([6.5])).toThrow(RangeError);
  });

  it('calling codes by value: the countries and the known codes as the metadata has them', () => {
    const own = (o: object | undefined, k: string) => o !== undefined && Object.prototype.hasOwnProperty.call(o, k);
    const codes = ['', '0', '00', '01', '001', '0039', '1000', '3a', 'x'];
    for (let v = 0; v < 1000; v++) codes.push(String(v));
    let known = 0;
    for (const code of codes) {
      const list = own(META.country_calling_codes, code) ? META.country_calling_codes[code] : undefined;
      const countries =
        Array.isArray(list) && list.length > 0 && !(list.length === 1 && list[0]!.length === 3) ? list : undefined;
      const facts = callingCodeFacts(code);
      expect([code, facts.countries]).toEqual([code, countries]);
      expect([code, facts.known]).toEqual([code, countries !== undefined || own(META.nonGeographic, code)]);
      if (facts.known) known++;
    }
    expect(known).toBeGreaterThan(200);
  });
});
