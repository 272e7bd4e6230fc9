import { normalizeNumber } from '../callerid/normalize-number.js';
import { intervalOf, openingHoursCheck, type Interval, type OpeningHours } from '../screening/business-hours.js';
import { parseAction } from '../screening/policy.js';
import type { PolicyRule, PolicyRules } from '../policy/rules.js';
import type { Config } from './schema.js';

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** One of our numbers as the call path names the called number: E.164 when it parses, else as written. */
export function didKey(text: string, defaultCountry: string): string {
  const n = normalizeNumber(text.trim(), defaultCountry);
  return n.e164 ?? n.raw;
}

/** The business's opening hours, from the validated config. */
export function openingHours(config: Pick<Config, 'businessHours' | 'timeZone'>): OpeningHours {
  const b = config.businessHours;
  const week: Interval[][] = [[]];
  for (const day of WEEK) week.push(b.week[day].map(intervalOf));
  return {
    timeZone: b.timeZone === '' ? config.timeZone : b.timeZone,
    week,
    holidays: b.holidays === 'none' ? null : b.holidays,
    closed: b.closed,
  };
}

/** The policy rules, from the validated config. */
export function policyRules(
  config: Pick<Config, 'businessHours' | 'timeZone' | 'policies' | 'defaultCountry'>,
): PolicyRules {
  const rules = config.policies.map((p, i): PolicyRule => ({
    number: i + 1,
    name: p.name ?? '',
    dids: p.dids === undefined ? null : new Set(p.dids.map((d) => didKey(d, config.defaultCountry))),
    hours: p.hours ?? null,
    verdicts: p.verdicts === undefined ? null : new Set(p.verdicts),
    action: parseAction(p.action),
  }));
  return { rules, openAt: openingHoursCheck(openingHours(config)) };
}

/** Our numbers the policies name, once each in order, as written, with their key and the first rule's name. */
export function policyLines(
  policies: Config['policies'],
  defaultCountry: string,
): Array<{ text: string; key: string; name: string }> {
  const seen = new Map<string, { text: string; key: string; name: string }>();
  for (const p of policies) {
    for (const text of p.dids ?? []) {
      const key = didKey(text, defaultCountry);
      if (!seen.has(key)) seen.set(key, { text, key, name: p.name ?? '' });
    }
  }
  return [...seen.values()];
}
