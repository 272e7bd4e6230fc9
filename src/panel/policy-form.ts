/**
 * The settings page's policy forms, read into the live values: a rule saved, moved, removed or added, and the
 * business hours. Reshapes the text into the config's shape and parses it with the config schema's own piece (a
 * ZodError names the key; the route shows it on the page), never cast.
 */
import { liveSettingsSchema, type LiveValues } from '../settings/live-settings.js';
import { closedDayFromTyped } from './date-text.js';
import { HttpError } from './http-error.js';
import { WEEK_KEYS } from './pages/policies.js';

type Body = Record<string, unknown>;
/** A rule as the form gives it, before the config's schema parses it. */
type RuleInput = Record<string, unknown>;

/** The policies or the business hours, parsed as the config's keys (a ZodError's path names the key). */
const policiesSchema = liveSettingsSchema.pick({ policies: true });
const hoursSchema = liveSettingsSchema.pick({ businessHours: true });

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** "a, b; c" or one per line → ['a', 'b', 'c']. */
function list(value: unknown): string[] {
  return text(value)
    .split(/[,;\n]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function ruleOf(body: Body): RuleInput {
  const name = text(body.name);
  const dids = list(body.dids);
  const hours = text(body.hours);
  const verdicts = (Array.isArray(body.verdicts) ? body.verdicts : [body.verdicts]).map(text).filter((v) => v !== '');
  return {
    ...(name !== '' && { name }),
    ...(dids.length > 0 && { dids }),
    ...(hours !== '' && { hours }),
    ...(verdicts.length > 0 && { verdicts }),
    action: text(body.action),
  };
}

function indexOf(body: Body, length: number): number {
  const index = Number(text(body.index));
  if (!Number.isInteger(index) || index < 0 || index >= length) throw HttpError.said(400, 'errorNoRule');
  return index;
}

/** Applies a policy form to `next` (a copy of the live values); false when the body is not one of them. */
export function applyPolicyForm(next: LiveValues, body: Body): boolean {
  const rules: RuleInput[] = [...next.policies];
  const setRules = () => {
    next.policies = policiesSchema.parse({ policies: rules }).policies;
  };
  switch (body.section) {
    case 'rule-add':
      rules.push(ruleOf(body));
      setRules();
      return true;
    case 'rule': {
      const i = indexOf(body, rules.length);
      const op = text(body.op);
      if (op === 'save') rules[i] = ruleOf(body);
      else if (op === 'remove') rules.splice(i, 1);
      else if (op === 'up' || op === 'down') {
        const j = op === 'up' ? i - 1 : i + 1;
        const [a, b] = [rules[i], rules[j]];
        if (a !== undefined && b !== undefined) [rules[i], rules[j]] = [b, a];
      } else throw HttpError.said(400, 'errorBadRuleOp');
      setRules();
      return true;
    }
    case 'hours': {
      const week = Object.fromEntries(WEEK_KEYS.map((day) => [day, list(body[day]).map((s) => s.replace(/\s+/g, ''))]));
      const hours = {
        week,
        holidays: text(body.holidays),
        timeZone: text(body.timeZone),
        // Typed day first as the page shows them (24/12/2026, 24/12, 10/08/2026..21/08/2026), or as the file has them.
        closed: list(body.closed)
          .flatMap((s) => s.replace(/\s*\.\.\s*/g, '..').split(/\s+/))
          .map(closedDayFromTyped),
      };
      next.businessHours = hoursSchema.parse({ businessHours: hours }).businessHours;
      return true;
    }
    default:
      return false;
  }
}
