/**
 * A refused form or query in the page's language. The schemas (the config file's, request.ts's) write their
 * messages once, in English, as the config loader, the JSON API and the log show them; the panel's pages say each
 * issue again: the field as the page labels it (`Molesto dal tentativo N`, `Rule 2, Our numbers`), then what is
 * wrong and what to write instead (in Italian from the table below; in English the schema's own words, zod's
 * generic ones such as "Invalid input: expected number, received NaN" said plainly). Zod's own checks (too small, not a number, not one of...) are said
 * from the issue's facts; the schemas' own messages from the table below. A message the table does not know stays
 * English, whole: never a half-translated or made-up sentence.
 */
import type { z } from 'zod';
import { firstRule, type Rule } from './first-rule.js';
import { textIn, type Lang, type MessageKey } from './i18n.js';
import { policyTexts } from './pages/policies.js';

type Issue = z.core.$ZodIssue;

/** The schemas' own messages, as an office worker reads them in Italian. */
const MESSAGES: readonly Rule[] = [
  [
    /^expected allow, tag, reject, reject:<400-699>, announce-early, announce-answer, hangup, check or check:<1-60>$/,
    () =>
      'scegli un’azione dell’elenco (allow, tag, reject, reject:<400-699>, announce-early, announce-answer, hangup, check o check:<1-60>)',
  ],
  [/^expected the wait of check:<seconds> from 1 to 60$/, () => 'l’attesa di check:<secondi> va da 1 a 60 secondi'],
  [
    /^expected an E\.164 prefix such as (\S+)$/,
    (m) => `scrivi un prefisso di numero di telefono, come lo componi (0844) o internazionale (${m[1]})`,
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
  [/^expected at least one verdict, or no verdicts key \(every verdict\)$/, () => 'spunta almeno una valutazione'],
  [/^expected an IANA time zone such as (\S+)$/, (m) => `scrivi un fuso orario come ${m[1]}`],
  [
    /^expected a day such as (\S+), (\S+) \(every year\) or a range (\S+)$/,
    // Day first, as the page shows the closed days and reads them (the file's ISO forms are read too).
    () =>
      'scrivi un giorno come gg/mm/aaaa, per esempio 24/12/2026, 24/12 (ogni anno) o un periodo come 10/08/2026..21/08/2026',
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

/** Zod's own checks, from the issue's facts, in each language. */
const BUILT_IN: Record<
  Lang,
  {
    required: string;
    number: string;
    text: string;
    atLeast: (n: string) => string;
    moreThan: (n: string) => string;
    atMost: (n: string) => string;
    lessThan: (n: string) => string;
    notEmpty: string;
    atLeastChars: (n: string) => string;
    atMostChars: (n: string) => string;
    oneOf: (values: string) => string;
    unknownFields: (keys: string) => string;
  }
> = {
  en: {
    required: 'required',
    number: 'write a number',
    text: 'write some text',
    atLeast: (n) => `must be at least ${n}`,
    moreThan: (n) => `must be more than ${n}`,
    atMost: (n) => `at most ${n}`,
    lessThan: (n) => `must be less than ${n}`,
    notEmpty: 'cannot be empty',
    atLeastChars: (n) => `at least ${n} characters`,
    atMostChars: (n) => `at most ${n} characters`,
    oneOf: (values) => `choose one of: ${values}`,
    unknownFields: (keys) => `unknown fields: ${keys}`,
  },
  it: {
    required: 'obbligatorio',
    number: 'scrivi un numero',
    text: 'scrivi un testo',
    atLeast: (n) => `deve essere almeno ${n}`,
    moreThan: (n) => `deve essere più di ${n}`,
    atMost: (n) => `al massimo ${n}`,
    lessThan: (n) => `deve essere meno di ${n}`,
    notEmpty: 'non può essere vuoto',
    atLeastChars: (n) => `almeno ${n} caratteri`,
    atMostChars: (n) => `al massimo ${n} caratteri`,
    oneOf: (values) => `scegli uno tra: ${values}`,
    unknownFields: (keys) => `campi sconosciuti: ${keys}`,
  },
};

function builtIn(lang: Lang, issue: Issue): string | null {
  const t = BUILT_IN[lang];
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return t.required;
      if (issue.expected === 'number') return t.number;
      if (issue.expected === 'string') return t.text;
      return null;
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'number') return issue.inclusive ? t.atLeast(min) : t.moreThan(min);
      if (issue.origin === 'string') return min === '1' ? t.notEmpty : t.atLeastChars(min);
      if (issue.origin === 'array') return t.atLeast(min);
      return null;
    }
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'number') return issue.inclusive ? t.atMost(max) : t.lessThan(max);
      if (issue.origin === 'string') return t.atMostChars(max);
      if (issue.origin === 'array') return t.atMost(max);
      return null;
    }
    case 'invalid_value':
      return t.oneOf(issue.values.map(String).join(', '));
    case 'unrecognized_keys':
      return t.unknownFields(issue.keys.join(', '));
    default:
      return null;
  }
}

/** What is wrong, in Italian; null when neither the table nor zod's facts know it. */
function italianMessage(issue: Issue): string | null {
  const known =
    issue.code === 'custom' || issue.code === 'invalid_format' || issue.code === 'too_small'
      ? firstRule(MESSAGES, issue.message)
      : null;
  return known ?? builtIn('it', issue);
}

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const VERDICT_KEYS: Record<string, MessageKey> = {
  trusted: 'verdict_trusted',
  unknown: 'verdict_unknown',
  suspect: 'verdict_suspect',
  nuisance: 'verdict_nuisance',
};
/** Labels the panel writes only in these messages (the short form of a longer label on the page). */
const OWN_LABELS: Record<Lang, Record<string, string>> = {
  en: {
    dids: 'Our numbers',
    verdicts: 'Verdicts',
    withheld: 'Withheld numbers',
    timeZone: 'Time zone',
    closed: 'Closed days',
    section: 'Form',
    format: 'Format',
    as: 'Mark as',
    limit: 'How many',
    since: 'From',
    until: 'To',
  },
  it: {
    dids: 'I nostri numeri',
    verdicts: 'Valutazioni',
    withheld: 'Numeri nascosti',
    timeZone: 'Fuso orario',
    closed: 'Giorni di chiusura',
    section: 'Modulo',
    format: 'Formato',
    as: 'Segna come',
    limit: 'Quanti',
    since: 'Dal',
    until: 'Al',
  },
};

/** The field as the page in `lang` labels it. */
export function fieldLabel(lang: Lang, path: readonly PropertyKey[]): string {
  const p = policyTexts(lang);
  const own = OWN_LABELS[lang];
  const keys = path.filter((k): k is string => typeof k === 'string');
  const last = keys[keys.length - 1] ?? '';
  const ruleAt = path.indexOf('policies');
  const ruleIndex = ruleAt >= 0 ? path[ruleAt + 1] : undefined;
  if (typeof ruleIndex === 'number') {
    const field: Record<string, string | undefined> = {
      name: p.name,
      dids: own.dids,
      hours: p.hours,
      verdicts: own.verdicts,
      action: p.action,
    };
    const rule = `${p.rule} ${ruleIndex + 1}`;
    return field[last] === undefined ? rule : `${rule}, ${field[last]}`;
  }
  if (keys[0] === 'actions') {
    if (last === 'withheld') return own.withheld ?? last;
    const verdict = VERDICT_KEYS[last];
    return verdict === undefined
      ? textIn(lang, 'actionsPerVerdict')
      : `${textIn(lang, 'actionsPerVerdict')}, ${textIn(lang, verdict)}`;
  }
  if (keys.includes('businessHours') || keys.includes('week') || keys.includes('closed')) {
    const day = DAY_KEYS.indexOf(last);
    if (day >= 0) return `${p.businessHours}, ${p.days[day + 1]}`;
    if (last === 'timeZone' || last === 'closed') return own[last] ?? last;
    if (last === 'holidays') return p.holidays;
  }
  const fields: Record<string, string | undefined> = {
    prefix: textIn(lang, 'prefix'),
    verdict: textIn(lang, 'verdict'),
    label: textIn(lang, 'label'),
    attempts: textIn(lang, 'repeatAttempts'),
    withinDays: textIn(lang, 'repeatDays'),
    telemarketing: '0844',
    surveys: '0843',
    automated: 'ARCEP',
    section: own.section,
    format: own.format,
    as: own.as,
    limit: own.limit,
    since: own.since,
    until: own.until,
  };
  return fields[last] ?? keys.join('.');
}

/**
 * The schemas' own messages the English page says otherwise: the configuration's closed days are ISO (2026-12-24,
 * 12-24), the page's are typed and shown day first, as its other date fields (which say "write it day first").
 */
const ENGLISH: readonly Rule[] = [
  [
    /^expected a day such as (\S+), (\S+) \(every year\) or a range (\S+)$/,
    () => 'write a day as dd/mm/yyyy, day first, e.g. 24/12/2026, 24/12 (every year) or a range 10/08/2026..21/08/2026',
  ],
];

/** What is wrong, in English: the schemas' own messages as written (but ENGLISH's), zod's checks said plainly. */
function englishMessage(issue: Issue): string | null {
  const own = firstRule(ENGLISH, issue.message);
  if (own !== null) return own;
  if (MESSAGES.some(([re]) => re.test(issue.message))) return issue.message;
  return builtIn('en', issue);
}

/** One issue: `field: what is wrong`, in the page's language, the field named as the page labels it. */
export function issueText(lang: Lang, issue: Issue): string {
  const message = (lang === 'it' ? italianMessage(issue) : englishMessage(issue)) ?? issue.message;
  return issue.path.length === 0 ? message : `${fieldLabel(lang, issue.path)}: ${message}`;
}

/** Every issue of a refusal, on one line. */
export function zodErrorText(lang: Lang, err: z.ZodError): string {
  return err.issues.map((i) => issueText(lang, i)).join('; ');
}

/** Every issue of a refusal on the JSON API: the parameter's own name and the schema's message, as documented. */
export function zodErrorTextForApi(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
