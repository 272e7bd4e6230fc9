/**
 * A refused form or query in the page's language. The schemas (the config file's, request.ts's) write their
 * messages once, in English, as the config loader, the JSON API and the log show them; the Italian panel says each
 * issue again in Italian: the field as the page labels it (`Molesto dal tentativo N`, `Regola 2: I nostri numeri`),
 * then what is wrong and what to write instead. Zod's own checks (too small, not a number, not one of...) are said
 * from the issue's facts; the schemas' own messages from the table below. A message the table does not know stays
 * English, whole: never a half-translated or made-up sentence.
 */
import type { z } from 'zod';
import { textIn, type Lang } from './i18n.js';
import { policyTexts } from './pages/policies.js';

type Issue = z.core.$ZodIssue;

/** The schemas' own messages, as an office worker reads them in Italian. */
const MESSAGES: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => string]> = [
  [
    /^expected allow, tag, reject, reject:<400-699>, announce-early, announce-answer, hangup, check or check:<1-60>$/,
    () =>
      'scegli un’azione dell’elenco (allow, tag, reject, reject:<400-699>, announce-early, announce-answer, hangup, check o check:<1-60>)',
  ],
  [/^expected the wait of check:<seconds> from 1 to 60$/, () => 'l’attesa di check:<secondi> va da 1 a 60 secondi'],
  [
    /^expected an E\.164 prefix such as (\S+)$/,
    (m) => `scrivi un prefisso internazionale che comincia con +, per esempio ${m[1]}`,
  ],
  [
    /^expected an E\.164 number or prefix such as (\S+)$/,
    (m) => `scrivi un numero o prefisso internazionale che comincia con +, per esempio ${m[1]}`,
  ],
  [
    /^expected one of our numbers, such as (.+) or (\S+)$/,
    (m) => `scrivi uno dei nostri numeri, per esempio ${m[1]} oppure ${m[2]}`,
  ],
  [/^expected at least one number, or no dids key \(any of our numbers\)$/, () => 'scrivi almeno un numero'],
  [/^expected at least one verdict, or no verdicts key \(every verdict\)$/, () => 'spunta almeno un esito'],
  [/^expected an IANA time zone such as (\S+)$/, (m) => `scrivi un fuso orario come ${m[1]}`],
  [
    /^expected a day such as (\S+), (\S+) \(every year\) or a range (\S+)$/,
    (m) => `scrivi un giorno come ${m[1]}, ${m[2]} (ogni anno) o un periodo come ${m[3]}`,
  ],
  [/^expected opening hours such as (\S+)$/, (m) => `scrivi l’orario come ${m[1]}`],
  [/^the opening must come before the closing$/, () => 'l’apertura deve venire prima della chiusura'],
  // request.ts and the routes' own forms.
  [/^expected one value$/, () => 'atteso un solo valore'],
  [/^at most (\d+) characters$/, (m) => `al massimo ${m[1]} caratteri`],
  [/^expected a whole number from (\d+) to (\d+)$/, (m) => `scrivi un numero intero da ${m[1]} a ${m[2]}`],
  [
    /^expected an ISO 8601 date or ms since epoch, got (".*")$/s,
    (m) => `scrivi una data come 2026-12-24 o 2026-12-24T09:30, non ${m[1]}`,
  ],
  [/^unknown form$/, () => 'modulo sconosciuto: ricarica la pagina e riprova'],
  [/^unknown import format$/, () => 'formato sconosciuto: scegli il formato del file dall’elenco'],
  [/^expected trusted or nuisance$/, () => 'scegli fidato o molesto'],
];

/** Zod's own checks, from the issue's facts. */
function builtIn(issue: Issue): string | null {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'obbligatorio';
      if (issue.expected === 'number') return 'scrivi un numero';
      if (issue.expected === 'string') return 'scrivi un testo';
      return null;
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'number') return issue.inclusive ? `deve essere almeno ${min}` : `deve essere più di ${min}`;
      if (issue.origin === 'string') return min === '1' ? 'non può essere vuoto' : `almeno ${min} caratteri`;
      if (issue.origin === 'array') return `almeno ${min}`;
      return null;
    }
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'number') return issue.inclusive ? `al massimo ${max}` : `deve essere meno di ${max}`;
      if (issue.origin === 'string') return `al massimo ${max} caratteri`;
      if (issue.origin === 'array') return `al massimo ${max}`;
      return null;
    }
    case 'invalid_value':
      return `scegli uno tra: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `campi sconosciuti: ${issue.keys.join(', ')}`;
    default:
      return null;
  }
}

/** What is wrong, in Italian; null when neither the table nor zod's facts know it. */
function italianMessage(issue: Issue): string | null {
  if (issue.code === 'custom' || issue.code === 'invalid_format' || issue.code === 'too_small') {
    for (const [re, say] of MESSAGES) {
      const m = re.exec(issue.message);
      if (m !== null) return say(m);
    }
  }
  return builtIn(issue);
}

const VERDICT_IT: Record<string, string> = {
  trusted: 'fidato',
  unknown: 'sconosciuto',
  suspect: 'sospetto',
  nuisance: 'molesto',
  withheld: 'nascosto',
};
const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** The panel's fields by the config key they fill (the last key of the issue's path). */
const FIELD_IT: Record<string, string> = {
  prefix: textIn('it', 'prefix'),
  verdict: textIn('it', 'verdict'),
  label: textIn('it', 'label'),
  attempts: textIn('it', 'repeatAttempts'),
  withinDays: textIn('it', 'repeatDays'),
  telemarketing: '0844',
  surveys: '0843',
  automated: 'ARCEP',
  section: 'Modulo',
  format: 'Formato',
  as: 'Segna come',
  limit: 'Quanti',
  since: 'Dal',
  until: 'Al',
};

/** The field as the Italian page labels it. */
export function fieldLabelIt(path: readonly PropertyKey[]): string {
  const p = policyTexts('it');
  const keys = path.filter((k): k is string => typeof k === 'string');
  const last = keys[keys.length - 1] ?? '';
  const ruleAt = path.indexOf('policies');
  const ruleIndex = ruleAt >= 0 ? path[ruleAt + 1] : undefined;
  if (typeof ruleIndex === 'number') {
    const field: Record<string, string> = {
      name: p.name,
      dids: 'I nostri numeri',
      hours: p.hours,
      verdicts: 'Esiti',
      action: p.action,
    };
    const rule = `${p.rule} ${ruleIndex + 1}`;
    return field[last] === undefined ? rule : `${rule}, ${field[last]}`;
  }
  if (keys[0] === 'actions') {
    if (last === 'withheld') return 'Numeri nascosti';
    const verdict = VERDICT_IT[last];
    return verdict === undefined
      ? textIn('it', 'actionsPerVerdict')
      : `${textIn('it', 'actionsPerVerdict')}, ${verdict}`;
  }
  if (keys.includes('businessHours') || keys.includes('week') || keys.includes('closed')) {
    const day = DAY_KEYS.indexOf(last);
    if (day >= 0) return `${p.businessHours}, ${p.days[day + 1]}`;
    if (last === 'timeZone') return 'Fuso orario';
    if (last === 'holidays') return p.holidays;
    if (last === 'closed') return 'Giorni di chiusura';
  }
  return FIELD_IT[last] ?? keys.join('.');
}

/** One issue: `field: what is wrong`, in the page's language (English: as the schema wrote it). */
export function issueText(lang: Lang, issue: Issue): string {
  const path = issue.path.join('.');
  if (lang === 'en') return `${path || 'body'}: ${issue.message}`;
  const message = italianMessage(issue) ?? issue.message;
  return issue.path.length === 0 ? message : `${fieldLabelIt(issue.path)}: ${message}`;
}

/** Every issue of a refusal, on one line. */
export function zodErrorText(lang: Lang, err: z.ZodError): string {
  return err.issues.map((i) => issueText(lang, i)).join('; ');
}
