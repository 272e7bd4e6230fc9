import { describe, expect, it } from 'vitest';
import { callingCodeOf, numberPrefixes } from './number-prefixes.js';
import { mulberry32 } from '../../test/support/prng.js';
import { DEFAULT_PREFIX_TREE_RULES, normalQuantile, PrefixTree } from './prefix-tree.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Monday 2 Nov 2026, 09:00 in Rome. */
const T0 = Date.parse('2026-11-02T09:00:00+01:00');

/** n distinct numbers: `prefix` followed by `digits` digits, spread so that they fall in different 1000-blocks. */
function spread(prefix: string, digits: number, n: number, from = 0): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `${prefix}${String((from + i) * 7919 * 1009 + 1234)
        .slice(-digits)
        .padStart(digits, '0')}`,
  );
}

/** An office's Italian background: customers it talked with (mobiles, Milan), one Milan call centre block. */
function italianOffice(tree = new PrefixTree()): PrefixTree {
  for (const n of spread('+39347', 7, 40)) tree.observe(n, 'legit', 1, T0 - 20 * DAY);
  for (const n of spread('+3902', 8, 40)) tree.observe(n, 'legit', 1, T0 - 20 * DAY);
  for (let i = 0; i < 10; i++) tree.observe(`+39028717690${i}`, 'nuisance', 1, T0 - 10 * DAY);
  return tree;
}

/** Albanian mobiles (+355 69, valid), each in a different 1000-block. */
const ALBANIA = spread('+35569', 7, 30);

describe('numbers and their prefixes', () => {
  it('finds the calling code and the destination code libphonenumber formats', () => {
    expect(callingCodeOf('393471234567')).toBe('39');
    expect(callingCodeOf('12025550123')).toBe('1');
    expect(callingCodeOf('355692123456')).toBe('355');
    expect(numberPrefixes('+393471234567')).toEqual({ callingCode: '39', ndc: '347', type: 'MOBILE' });
    expect(numberPrefixes('+390331123456')).toMatchObject({ callingCode: '39', ndc: '0331', type: 'FIXED_LINE' });
    expect(numberPrefixes('+441387123456')).toMatchObject({ callingCode: '44', ndc: '1387' });
    expect(numberPrefixes('+5491112345678')).toMatchObject({ callingCode: '54', ndc: '911', type: 'MOBILE' });
  });

  it('keeps a number libphonenumber cannot place under its country only', () => {
    expect(numberPrefixes('+39123')).toMatchObject({ callingCode: '39', ndc: '' });
    expect(numberPrefixes('+999123456')).toBeNull();
  });

  it('uses the normal quantile of the credibility', () => {
    expect(normalQuantile(0.9)).toBeCloseTo(1.2816, 4);
    expect(normalQuantile(0.975)).toBeCloseTo(1.96, 3);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263, 4);
  });
});

describe('a foreign centre with a fresh number every call', () => {
  it('is blocked after 10 marked numbers of one operator range, and not before', () => {
    const tree = italianOffice();
    const fresh = '+355691112223';
    const weights: number[] = [];
    for (let k = 0; k < 12; k++) {
      tree.observe(ALBANIA[k]!, 'nuisance', 1, T0 + k * HOUR);
      weights.push(tree.estimate(fresh, T0 + k * HOUR + 1000)?.weight ?? 0);
    }
    // Each number counts once, in the operator range, whose prior (Italy's numbers and the rest of the world, worth
    // one number) says little: one or two marks say nothing, three make a fresh number of the range suspect
    // (≥ 0.5), ten cross the nuisance threshold (0.8): the office has never had a caller from Albania.
    expect(weights.slice(0, 2)).toEqual([0, 0]);
    expect(weights.findIndex((w) => w >= 0.5)).toBe(2);
    expect(weights.findIndex((w) => w >= 0.8)).toBe(9);
    for (let k = 1; k < weights.length; k++) expect(weights[k]!).toBeGreaterThanOrEqual(weights[k - 1]!);
    const e = tree.estimate(fresh, T0 + 12 * HOUR)!;
    expect(e.node).toMatchObject({ level: 'area', prefix: '35569' });
    expect(e.weight).toBeLessThanOrEqual(DEFAULT_PREFIX_TREE_RULES.maxWeight);
  });

  it('reaches the rest of the country through the country node, on more evidence', () => {
    const tree = italianOffice();
    const other = '+355672345678'; // another operator: no node of its own yet
    const weights: number[] = [];
    ALBANIA.slice(0, 20).forEach((n, k) => {
      tree.observe(n, 'nuisance', 1, T0 + k * HOUR);
      weights.push(tree.estimate(other, T0 + k * HOUR)!.weight);
    });
    expect(tree.estimate(other, T0 + 20 * HOUR)!.node).toMatchObject({ level: 'country', prefix: '355' });
    expect(weights.findIndex((w) => w >= 0.8)).toBe(9);
  });

  it('counts a number once however often it is seen', () => {
    const once = italianOffice();
    const again = italianOffice();
    for (let k = 0; k < 5; k++) {
      once.observe(ALBANIA[k]!, 'nuisance', 1, T0);
      for (let r = 0; r < 4; r++) again.observe(ALBANIA[k]!, 'nuisance', 1, T0);
    }
    expect(again.estimate('+355691112223', T0)).toEqual(once.estimate('+355691112223', T0));
    expect(again.memberCount).toBe(once.memberCount);
  });
});

describe('legitimate callers under the same prefixes', () => {
  it('lets through a customer from the same country whose block talked with us', () => {
    const tree = italianOffice();
    ALBANIA.forEach((n, k) => tree.observe(n, 'nuisance', 1, T0 + k * HOUR));
    // A customer's office in Tirana: one of its lines talked with us at length; another line calls now.
    tree.observe('+35542212345', 'legit', 1, T0 - 5 * DAY);
    const e = tree.estimate('+35542212346', T0 + 30 * HOUR)!;
    expect(e.node.level).toBe('block');
    expect(e.node.legit).toBeGreaterThan(0.5);
    expect(e.weight).toBe(0);
    // Without the talk, the same number would have the country's weight.
    const without = italianOffice();
    ALBANIA.forEach((n, k) => without.observe(n, 'nuisance', 1, T0 + k * HOUR));
    expect(without.estimate('+35542212346', T0 + 30 * HOUR)!.weight).toBeGreaterThanOrEqual(0.8);
  });

  it('does not block a country where the office has callers as well as centres', () => {
    const tree = italianOffice();
    ALBANIA.slice(0, 12).forEach((n, k) => tree.observe(n, 'nuisance', 1, T0 + k * HOUR));
    spread('+35569', 7, 12, 100).forEach((n) => tree.observe(n, 'legit', 1, T0));
    expect(tree.estimate('+355691112223', T0 + 12 * HOUR)!.weight).toBe(0);
  });

  it('weighs a trusted mark after a nuisance one as legitimate only', () => {
    const tree = italianOffice();
    ALBANIA.slice(0, 12).forEach((n, k) => tree.observe(n, 'nuisance', 1, T0 + k * HOUR));
    const before = tree.path('+355691112223', T0 + 12 * HOUR)[1]!;
    tree.retract(ALBANIA[0]!, 'nuisance', T0 + 12 * HOUR);
    tree.observe(ALBANIA[0]!, 'legit', 1, T0 + 12 * HOUR);
    const after = tree.path('+355691112223', T0 + 12 * HOUR)[1]!;
    // The first number's unit, as much of it as is left after 12 hours, moves from nuisance to legitimate.
    expect(before.nuisance - after.nuisance).toBeGreaterThan(0.98);
    expect(before.nuisance - after.nuisance).toBeLessThanOrEqual(1);
    expect(after.legit - before.legit).toBeCloseTo(1, 5);
  });
});

describe('decay', () => {
  it('delists a country that went quiet', () => {
    const tree = italianOffice();
    ALBANIA.slice(0, 20).forEach((n) => tree.observe(n, 'nuisance', 1, T0));
    const fresh = '+355691112223';
    expect(tree.estimate(fresh, T0 + DAY)!.weight).toBeGreaterThanOrEqual(0.8);
    // Half-life 30 days: 20 numbers weigh 10 after a month, 2.5 after three.
    expect(tree.path(fresh, T0 + 30 * DAY)[0]!.nuisance).toBeCloseTo(10, 3);
    expect(tree.path(fresh, T0 + 90 * DAY)[0]!.nuisance).toBeCloseTo(2.5, 3);
    const after = (days: number) => tree.estimate(fresh, T0 + days * DAY)?.weight ?? 0;
    expect(after(30)).toBeGreaterThanOrEqual(0.8);
    expect(after(90)).toBeLessThan(0.8);
    expect(after(150)).toBe(0);
    // And prune forgets it altogether once below forgetBelow (0.02: 20 numbers after ~8 half-lives).
    const forgotten = tree.prune(T0 + 300 * DAY);
    expect(tree.estimate(fresh, T0 + 300 * DAY)).toBeNull();
    expect(forgotten.members).toBe(30); // the 20 Albanian numbers and the Milan centre's 10
    expect(tree.memberCount).toBe(80); // the office's customers: legitimate evidence has a 90-day half-life
  });

  it('refreshes a number seen again: a centre still calling stays listed', () => {
    const tree = italianOffice();
    const numbers = ALBANIA.slice(0, 12);
    numbers.forEach((n, k) => tree.observe(n, 'nuisance', 1, T0 + k * HOUR));
    for (let month = 1; month <= 4; month++)
      numbers.forEach((n) => tree.observe(n, 'nuisance', 1, T0 + month * 30 * DAY));
    expect(tree.estimate('+355691112223', T0 + 120 * DAY + HOUR)!.weight).toBeGreaterThanOrEqual(0.8);
  });

  it('keeps a country blocked while its centres call, counting refusals at their expected label', () => {
    const tree = italianOffice();
    ALBANIA.slice(0, 12).forEach((n, k) => tree.observe(n, 'nuisance', 1, T0 + k * HOUR));
    const fresh = spread('+35569', 7, 200, 1000);
    let t = T0 + DAY;
    const means: number[] = [];
    for (const n of fresh) {
      t += 12 * HOUR; // two refused calls a day for 100 days, nothing marked any more
      const p = tree.observeUnlabelled(n, t);
      expect(p).not.toBeNull();
      means.push(p!);
    }
    const e = tree.estimate('+355691112223', t + HOUR)!;
    expect(e.weight).toBeGreaterThanOrEqual(0.8);
    // The estimate itself does not drift upwards on its own refusals.
    expect(Math.max(...means) - means[0]!).toBeLessThan(0.05);
    expect(tree.totals(t).imputed).toBeGreaterThan(0);
    // Without the refusals the evidence would have decayed below the threshold.
    const quiet = italianOffice();
    ALBANIA.slice(0, 12).forEach((n, k) => quiet.observe(n, 'nuisance', 1, T0 + k * HOUR));
    expect(quiet.estimate('+355691112223', t + HOUR)?.weight ?? 0).toBeLessThan(0.8);
  });

  it('lets a labelled mark replace an imputed guess', () => {
    const tree = italianOffice();
    ALBANIA.slice(0, 12).forEach((n, k) => tree.observe(n, 'nuisance', 1, T0 + k * HOUR));
    const n = '+355697777777';
    tree.observeUnlabelled(n, T0 + DAY);
    const imputed = tree.totals(T0 + DAY).imputed;
    expect(imputed).toBeGreaterThan(0);
    tree.observe(n, 'nuisance', 1, T0 + DAY);
    expect(tree.totals(T0 + DAY).imputed).toBeCloseTo(0, 5);
  });
});

describe('Italian mobile ranges', () => {
  it('blocks a SIM batch inside an operator range full of customers, and only the batch', () => {
    const tree = italianOffice();
    // A SIM box's batch: numbers of one 1000-block of +39 347, marked one a day.
    const batch = ['+393471234501', '+393471234577', '+393471234623', '+393471234412'];
    const weights = batch.map((n, k) => {
      tree.observe(n, 'nuisance', 1, T0 + k * DAY);
      return tree.estimate('+393471234999', T0 + k * DAY + HOUR)!.weight;
    });
    // Nothing from one number, nor from two of one 100-block (+39 347 1234 5xx: one cluster says nothing about the
    // rest of the 1000-block); nuisance from the 2nd 100-block: the batch's 1000-block holds no customer, though the
    // operator range around it is all customers.
    expect(weights.map((w) => (w >= 0.8 ? 'nuisance' : w >= 0.5 ? 'suspect' : '-'))).toEqual([
      '-',
      '-',
      'nuisance',
      'nuisance',
    ]);
    const sim = tree.estimate('+393471234999', T0 + 4 * DAY)!;
    expect(sim.node).toMatchObject({ level: 'block', prefix: '393471234', free: 3 });
    // A customer elsewhere in +39 347 is judged by the operator range or a wide block of customers: no weight.
    const customer = tree.estimate('+393479876543', T0 + 3 * DAY)!;
    expect(customer.node.prefix.startsWith('39347')).toBe(true);
    expect(customer.node.nuisance).toBeLessThan(1);
    expect(customer.weight).toBe(0);
  });

  it('blocks a SIM batch of a 10,000-block from its 2nd range (a fresh SIM from another 1000-block each time)', () => {
    const tree = italianOffice();
    // A SIM box's batch: +39 347 123 xxxx, each SIM in another 1000-block of it, one marked a day.
    const batch = ['+393471230417', '+393471231530', '+393471232641', '+393471233752'];
    const next = '+393471237999'; // the batch's next SIM, in a 1000-block no call came from yet
    const verdicts = batch.map((n, k) => {
      tree.observe(n, 'nuisance', 1, T0 + k * DAY);
      const w = tree.estimate(next, T0 + k * DAY + HOUR)!.weight;
      return w >= 0.8 ? 'nuisance' : w >= 0.5 ? 'suspect' : '-';
    });
    // One range says nothing about the other nine; two of one 10,000-block do (its prior is a typical 10,000-block
    // of +39 347: nearly nothing, as the 1000-blocks'), though the operator range around it is all customers.
    expect(verdicts).toEqual(['-', 'nuisance', 'nuisance', 'nuisance']);
    const e = tree.estimate(next, T0 + 4 * DAY)!;
    expect(e.node).toMatchObject({ level: 'block', prefix: '39347123', free: 4 });
    // A customer who talked with us in the batch's 10,000-block weighs against it: the next SIM is suspect at most.
    tree.observe('+393471238100', 'legit', 1, T0 + 4 * DAY);
    expect(tree.estimate(next, T0 + 4 * DAY + HOUR)!.weight).toBeLessThan(0.8);
  });

  it("keeps a 100,000-block's prior at its parent's strength: five ranges of a hundred are not enough", () => {
    const tree = italianOffice();
    // Five SIMs of +39 347 12x xxxx, each in a 10,000-block of its own (customers' mobiles are as likely there).
    for (let k = 0; k < 5; k++) tree.observe(`+3934712${k}${4417 + k * 1111}`, 'nuisance', 1, T0 + k * HOUR);
    const e = tree.estimate('+393471287999', T0 + 5 * HOUR)!;
    expect(e.node).toMatchObject({ level: 'block', prefix: '3934712', free: 5 });
    expect(e.weight).toBeLessThan(0.8);
  });

  it('judges a number by its neighbours only: its own refusals never condemn it further (leave-one-out)', () => {
    const tree = italianOffice();
    const x = '+390287176999';
    const before = tree.estimate(x, T0)!;
    expect(before.weight).toBeGreaterThanOrEqual(0.8);
    for (let k = 0; k < 5; k++) tree.observeUnlabelled(x, T0 + k * HOUR);
    tree.observe(x, 'nuisance', 1, T0 + 6 * HOUR);
    expect(tree.estimate(x, T0 + 6 * HOUR)!.mean).toBeCloseTo(before.mean, 2);
    expect(tree.path(x, T0 + 6 * HOUR).at(-1)!.nuisance).toBeGreaterThan(0.9); // counted for its neighbours
  });

  it('does not condemn a block for one stray number', () => {
    const tree = italianOffice();
    tree.observe('+393475550123', 'nuisance', 1, T0);
    expect(tree.estimate('+393475550999', T0 + HOUR)!.weight).toBeLessThan(0.8);
  });

  it("counts a centre's block once at its destination code: fifty numbers of one block do not condemn Milan", () => {
    const tree = italianOffice();
    for (let i = 0; i < 50; i++) tree.observe(`+39028717${String(6000 + i * 7).padStart(4, '0')}`, 'nuisance', 1, T0);
    const milan = tree.estimate('+390245678901', T0 + HOUR)!;
    expect(milan.node).toMatchObject({ level: 'area', prefix: '3902' });
    expect(milan.node.nuisance).toBeLessThan(2);
    expect(milan.weight).toBe(0);
    // The centre's own block is another matter.
    expect(tree.estimate('+390287176999', T0 + HOUR)!.weight).toBeGreaterThanOrEqual(0.8);
  });
});

describe('each number counts once (no double counting down the path)', () => {
  it('does not make the 10-block neighbours of one marked number nuisance, nor even suspect', () => {
    const tree = italianOffice();
    tree.observe('+390612345671', 'nuisance', 1, T0);
    const neighbour = tree.estimate('+390612345679', T0 + HOUR)!;
    // The one number decides nothing in its blocks: the destination code (Rome) decides, where it counts once.
    expect(neighbour.node).toMatchObject({ level: 'area', prefix: '3906' });
    expect(neighbour.weight).toBe(0);
    // And a number of Rome far from it gets the same estimate: the mark was not counted again at each depth.
    const far = tree.estimate('+390698765432', T0 + HOUR)!;
    expect(neighbour.mean).toBeCloseTo(far.mean, 6);
  });

  it('with hintWeight, makes a new number next to one marked number suspect, never more, and not next to a customer', () => {
    const tree = italianOffice(new PrefixTree({ hintWeight: 0.5 }));
    tree.observe('+390612345671', 'nuisance', 1, T0);
    // Its 10-block: suspect (the hint's weight exactly), explained by the 10-block.
    const neighbour = tree.estimate('+390612345679', T0 + HOUR)!;
    expect(neighbour.node).toMatchObject({ level: 'block', free: 1, prefix: '39061234567' });
    expect(neighbour.weight).toBe(0.5);
    // Another 10-block of its 100-block: the 100-block hints the same.
    expect(tree.estimate('+390612345600', T0 + HOUR)).toMatchObject({ node: { free: 2 }, weight: 0.5 });
    // Another 100-block: Rome decides, as without the hint.
    expect(tree.estimate('+390612345000', T0 + HOUR)).toMatchObject({ node: { level: 'area' }, weight: 0 });
    // A customer who talked with us in the 10-block: its legitimate number speaks for the block, no hint.
    tree.observe('+390612345675', 'legit', 1, T0);
    expect(tree.estimate('+390612345679', T0 + HOUR)!.weight).toBe(0);
    // The 2nd nuisance number: the block decides on its own, above the hint (nuisance).
    const other = new PrefixTree({ hintWeight: 0.5 });
    italianOffice(other);
    other.observe('+390612345671', 'nuisance', 1, T0);
    other.observe('+390612345672', 'nuisance', 1, T0);
    expect(other.estimate('+390612345679', T0 + HOUR)!.weight).toBeGreaterThanOrEqual(0.8);
  });

  it('blocks a 10-block from its 2nd number: a sweep of several numbers of one block', () => {
    const tree = italianOffice();
    const weights: number[] = [];
    for (let k = 0; k < 5; k++) {
      tree.observe(`+39061234567${k}`, 'nuisance', 0.6, T0 + k * 60_000); // at a block sweep's weight
      weights.push(tree.estimate('+390612345679', T0 + k * 60_000 + 1000)?.weight ?? 0);
    }
    expect(weights[0]).toBe(0);
    expect(weights.findIndex((w) => w >= 0.8)).toBeGreaterThanOrEqual(2);
    expect(weights.findIndex((w) => w >= 0.8)).toBeLessThanOrEqual(3);
    expect(tree.estimate('+390612345679', T0 + HOUR)!.node).toMatchObject({ level: 'block', free: 1 });
  });

  it("does not let one 100-block's centre condemn the other 100-blocks of its 1000-block", () => {
    const tree = italianOffice();
    // A Rome centre's numbers, all in +39 06 8711 5xx (one 100-block).
    for (const n of ['+39068711503', '+39068711527', '+39068711561', '+39068711588'])
      tree.observe(n, 'nuisance', 1, T0);
    // A customer's office in +39 06 8711 1xx: the 1000-block's evidence is one cluster, so Rome (06) decides.
    const customer = tree.estimate('+39068711119', T0 + HOUR)!;
    expect(customer.node.level).toBe('area');
    expect(customer.weight).toBeLessThan(0.8);
    // The centre's next number in its own 100-block is refused on it; so is one in a 3rd 100-block once the centre
    // has shown two.
    expect(tree.estimate('+39068711599', T0 + HOUR)!.weight).toBeGreaterThanOrEqual(0.8);
    tree.observe('+39068711744', 'nuisance', 1, T0 + HOUR);
    tree.observe('+39068711790', 'nuisance', 1, T0 + HOUR);
    const third = tree.estimate('+39068711319', T0 + 2 * HOUR)!;
    expect(third.node).toMatchObject({ level: 'block', free: 3 });
    expect(third.weight).toBeGreaterThanOrEqual(0.8);
  });

  it("takes a block's prior from its siblings only: one block's own numbers never raise its prior", () => {
    const tree = italianOffice();
    for (let k = 0; k < 3; k++) tree.observe(`+39061234567${k}`, 'nuisance', 1, T0);
    const e = tree.estimate('+390612345679', T0 + HOUR)!;
    expect(e.node).toMatchObject({ level: 'block', prefix: '39061234567', free: 1 });
    // Rome has nothing else: the prior comes from Italy's other numbers (customers, one Milan centre), not from
    // the three numbers the block itself holds.
    expect(e.prior).toBeLessThan(0.1);
    expect(e.weight).toBeGreaterThanOrEqual(0.8);
  });
});

describe('memory', () => {
  it('holds typed tables that grow with the numbers and shrink when prune forgets them', () => {
    const tree = new PrefixTree();
    for (let i = 0; i < 5000; i++) tree.observe(`+39347${String(i * 1999).padStart(7, '0')}`, 'nuisance', 1, T0);
    expect(tree.memberCount).toBe(5000);
    expect(tree.nodeCount).toBeGreaterThan(5000);
    const bytes = tree.byteLength;
    expect(bytes / (tree.memberCount + tree.blockNodeCount)).toBeLessThan(80);
    tree.prune(T0 + 400 * DAY);
    expect(tree.memberCount).toBe(0);
    expect(tree.byteLength).toBeLessThan(bytes / 10);
  });

  it('refuses rules that make no sense', () => {
    expect(() => new PrefixTree({ nuisanceHalfLifeDays: 0 })).toThrow(/nuisanceHalfLifeDays/);
    expect(() => new PrefixTree({ credibility: 1 })).toThrow(/credibility/);
    expect(() => new PrefixTree({ blockDigits: [1, 2] })).toThrow(/blockDigits/);
    expect(() => new PrefixTree({ minPriorStrength: 3 })).toThrow(/minPriorStrength/);
  });

  it('ignores what is not an E.164 number', () => {
    const tree = new PrefixTree();
    tree.observe('anonymous', 'nuisance', 1, T0);
    tree.observe('+0123', 'nuisance', 1, T0);
    tree.observe('+99912345678', 'nuisance', 1, T0);
    expect(tree.memberCount).toBe(0);
    expect(tree.estimate('anonymous', T0)).toBeNull();
  });
});

describe('version (what the register keeps estimates by)', () => {
  it('a write that changes nothing keeps it: a number counted whole again within the minute', () => {
    const tree = italianOffice();
    const n = '+390287176905';
    tree.observe(n, 'nuisance', 1, T0);
    const v = tree.version;
    tree.observe(n, 'nuisance', 1, T0 + 30_000); // same minute: its mass is whole already
    tree.observe(n, 'nuisance', 0.5, T0 + 30_000); // less than it has
    tree.retract('+390287176999', 'nuisance', T0); // not a member
    expect(tree.version).toBe(v);
    tree.observe(n, 'nuisance', 1, T0 + 2 * HOUR); // decayed since: counted whole again
    expect(tree.version).toBeGreaterThan(v);
  });

  it('while it stays, every estimate stays as computed (random writes, same minute)', () => {
    const rnd = mulberry32(13);
    const pool = [...spread('+39347', 7, 12), ...spread('+3902', 8, 12), ...ALBANIA.slice(0, 12)];
    const pick = () => pool[Math.floor(rnd() * pool.length)]!;
    const tree = italianOffice();
    const asked = pool.filter((_, i) => i % 3 === 0);
    let unchanged = 0;
    let changed = 0;
    for (let step = 0; step < 400; step++) {
      const at = T0 + Math.floor(step / 40) * HOUR + (step % 40) * 1000; // runs of 40 writes within a minute
      const before = tree.version;
      const estimates = asked.map((x) => JSON.stringify(tree.estimate(x, at)));
      const r = rnd();
      if (r < 0.4) tree.observe(pick(), 'nuisance', rnd() < 0.5 ? 1 : rnd(), at);
      else if (r < 0.6) tree.observe(pick(), 'legit', 1, at);
      else if (r < 0.8) tree.observeUnlabelled(pick(), at);
      else tree.retract(pick(), rnd() < 0.5 ? 'nuisance' : 'legit', at);
      if (tree.version === before) {
        unchanged++;
        expect(asked.map((x) => JSON.stringify(tree.estimate(x, at)))).toEqual(estimates);
      } else changed++;
    }
    expect(unchanged).toBeGreaterThan(50);
    expect(changed).toBeGreaterThan(50);
  });
});
