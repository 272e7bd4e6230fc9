/**
 * A verdict's reasons in the office's language. The screening writes each reason once, in English, with the facts
 * it rests on (`params`, kept in the register beside the text); the Italian panel rebuilds from those facts the
 * sentences the staff read in the register and on a number's page. A reason this file does not know, or whose facts
 * are missing or of another shape (a row written by an older version), keeps its English text: never a blank, never
 * a made-up fact. The JSON API, the CSV and the log keep the English text as written.
 */
import { span } from '../screening/decay.js';
import type { ReasonCode } from '../screening/types.js';
import type { Locale } from './i18n.js';

export interface ReasonLike {
  code: string;
  text: string;
  params?: Readonly<Record<string, string | number>> | undefined;
}

/** The reason as the page's language says it. */
export function reasonText(loc: Locale, r: ReasonLike): string {
  if (loc.lang === 'en') return r.text;
  const render = IT[r.code as ReasonCode];
  if (render === undefined) return r.text;
  try {
    return render(new Facts(r), loc) ?? r.text;
  } catch {
    return r.text;
  }
}

/** A call's reasons on one line, as the register shows them. */
export function reasonsText(loc: Locale, reasons: readonly ReasonLike[]): string {
  return reasons.map((r) => reasonText(loc, r)).join('; ');
}

/**
 * Every reason the screening writes, and how the Italian panel says it: `it` rebuilt in Italian below, `en` kept in
 * English (built from values no fact keeps: the office's own rule descriptions, STIR/SHAKEN details, the prefix
 * tree's estimates...). A new reason code does not compile until it is listed here.
 */
export const REASON_LANGUAGE: Readonly<Record<ReasonCode, 'it' | 'en'>> = {
  'marked-nuisance': 'it',
  'marked-trusted': 'it',
  'prefix-rule': 'en',
  'trusted-prefix': 'en',
  'telemarketing-prefix': 'it',
  'survey-prefix': 'it',
  'automated-call-prefix': 'it',
  'repeat-after-refusal': 'it',
  'attempt-after-refusal': 'it',
  withheld: 'it',
  'unparsable-number': 'it',
  'internal-error': 'en',
  'unroutable-called-number': 'en',
  burst: 'it',
  sweep: 'it',
  'block-sweep': 'en',
  'short-calls': 'it',
  'off-hours': 'en',
  'nuisance-block': 'it',
  'prefix-evidence': 'en',
  'trap-did': 'it',
  'shaken-failed': 'en',
  'shaken-gateway': 'it',
  'shaken-orig-mismatch': 'it',
  'shaken-dest-mismatch': 'it',
  'shaken-full': 'it',
  'display-name-block': 'en',
  'friend-reports': 'it',
  bypass: 'en',
  'service-number': 'it',
  'allow-next': 'it',
  'called-by-us': 'it',
  'persistent-human': 'it',
  'display-name-allow': 'en',
  'policy-rule': 'it',
  'check-remembered': 'it',
  'check-no-second-chance': 'it',
  'check-not-possible': 'en',
  'range-repeat': 'en',
};

/** The codes with an Italian sentence (the test checks them against REASON_LANGUAGE). */
export function italianCodes(): string[] {
  return Object.keys(IT);
}

/** A reason's facts, read strictly: a missing or mistyped one makes the sentence fall back to English. */
class Facts {
  constructor(readonly reason: ReasonLike) {}
  str(key: string): string {
    const v = this.reason.params?.[key];
    if (typeof v !== 'string') throw new Error(`no ${key}`);
    return v;
  }
  optStr(key: string): string | null {
    const v = this.reason.params?.[key];
    return typeof v === 'string' && v.trim() !== '' ? v : null;
  }
  num(key: string): number {
    const v = this.reason.params?.[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`no ${key}`);
    return v;
  }
  time(key: string): number {
    const ms = Date.parse(this.str(key));
    if (!Number.isFinite(ms)) throw new Error(`no ${key}`);
    return ms;
  }
  /** What the English text says in its last parentheses, e.g. the caller ID as it was shown. */
  match(re: RegExp): string {
    const m = re.exec(this.reason.text);
    if (m?.[1] === undefined) throw new Error(`text does not match ${re.source}`);
    return m[1];
  }
  /** The English text said the fact is about the call itself ("(now)"). */
  get now(): boolean {
    return this.reason.text.endsWith('(now)') || this.reason.text.includes(' (now),');
  }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "(Example Energia, energy)" from a mark's company and category, or nothing. */
function about(f: Facts): string {
  const parts = [f.optStr('company'), f.optStr('category')].filter((s): s is string => s !== null);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

const WITHHELD: Record<string, string> = {
  'privacy-header': 'numero nascosto (Privacy: id)',
  'rpid-privacy': 'numero nascosto (privacy nel Remote-Party-ID)',
  'anonymous-uri': 'chiamante anonimo',
  'anonymous-name': 'chiamante anonimo',
  'no-number': 'nessun numero del chiamante',
  unspecified: 'numero nascosto',
};

type Render = (f: Facts, loc: Locale) => string | null;

const afterRefusal: Render = (f, loc) =>
  `${f.num('attempt')}° tentativo in ${plural(f.num('days'), 'giorno', 'giorni')} dopo un rifiuto del ${loc.dayMonth(f.time('refusedAt'))}`;

const IT: Partial<Record<ReasonCode, Render>> = {
  'marked-nuisance': (f, loc) => `segnato come molesto da voi il ${loc.date(f.time('markedAt'))}${about(f)}`,
  'marked-trusted': (f, loc) => `segnato come fidato da voi il ${loc.date(f.time('markedAt'))}${about(f)}`,
  'telemarketing-prefix': (f) => `prefisso AGCOM del telemarketing ${f.str('prefix')}`,
  'survey-prefix': (f) => `prefisso AGCOM dei sondaggi statistici ${f.str('prefix')}`,
  'automated-call-prefix': (f) => `numerazione ARCEP delle chiamate automatiche ${f.str('prefix')}`,
  'repeat-after-refusal': afterRefusal,
  'attempt-after-refusal': afterRefusal,
  withheld: (f) => WITHHELD[f.str('why')] ?? null,
  'unparsable-number': (f) => `l'identificativo del chiamante non è un numero valido (${f.match(/\((".*")\)$/)})`,
  burst: (f, loc) =>
    `${f.num('attempts')} tentativi in ${f.num('windowMinutes')} min (${f.now ? 'ora' : loc.dateTime(f.time('at'))})`,
  sweep: (f, loc) =>
    `ha chiamato ${f.num('dids')} dei vostri numeri in ${f.match(/ within (.+?) \(/).replace(/ days$/, ' giorni')} (${f.now ? 'ora' : loc.dateTime(f.time('at'))})`,
  'short-calls': (f, loc) =>
    `${f.num('calls') === 1 ? '1 chiamata risposta più breve' : `${f.num('calls')} chiamate risposte più brevi`} di ${f.num('maxSeconds')} s (l'ultima: ${loc.dateTime(f.time('last'))})`,
  'nuisance-block': (f) => {
    const what = f.reason.params?.['marked'] !== undefined ? 'numeri che avete segnato come molesti' : 'numeri molesti';
    const spread = f.optStr('level') === 'large' ? ` (${plural(f.num('spread'), 'blocco', 'blocchi')} da dieci)` : '';
    return `${f.num('members')} ${what} in ${f.str('block')}${spread}`;
  },
  'trap-did': (f, loc) =>
    `ha chiamato ${f.str('did')} (${f.now ? 'ora' : `il ${loc.dayMonth(f.time('at'))}`}), un vostro numero mai pubblicato: lo chiamano solo i centralini automatici che scorrono un elenco`,
  'friend-reports': (f) => {
    const inner = f
      .match(/^reported by \d+ friends? \((.*)\)(?:; \d+ needed to count)?$/)
      .replace(/\b(\d+) more\b/, (_, n: string) => (n === '1' ? '1 altro' : `altri ${n}`));
    const gate = /; \d+ needed to count$/.test(f.reason.text) ? `; ne servono ${f.num('consensus')} perché conti` : '';
    return `segnalato da ${plural(f.num('friends'), 'amico', 'amici')} (${inner})${gate}`;
  },
  'shaken-gateway': (f) =>
    f.str('attest') === 'C' ? "l'identificativo non è attestato dal gestore (STIR/SHAKEN C, gateway)" : null,
  'shaken-full': (f) => (f.str('attest') === 'A' ? "l'identificativo è attestato dal gestore (STIR/SHAKEN A)" : null),
  'shaken-orig-mismatch': (f) =>
    `l'identificativo ${f.str('callerId')} non corrisponde al numero per cui è stato firmato il token STIR/SHAKEN (${f.str('signedFor')})`,
  'shaken-dest-mismatch': (f) =>
    `token STIR/SHAKEN firmato per una chiamata a ${f.str('signedFor')}, non al vostro ${f.str('called')} (riutilizzato, o inoltrato)`,
  'service-number': (f) => `numero di emergenza o di servizio ${f.str('number')}: mai bloccato`,
  'allow-next': (f, loc) =>
    `fatto passare una volta: il ${loc.date(f.time('setAt'))} avete chiesto di far passare la prossima chiamata`,
  'called-by-us': (f, loc) => `l'avete chiamato voi il ${loc.date(f.time('calledAt'))}`,
  'persistent-human': (f, loc) =>
    `ha parlato con voi per ${span(f.num('seconds') * 1000, 'giorni')} il ${loc.dayMonth(f.time('at'))}`,
  'policy-rule': (f) => {
    const rule = f.num('rule');
    const name = f.optStr('name');
    const label = name === null ? `regola ${rule}` : `regola ${rule} "${name}"`;
    const english = name === null ? `policy rule ${rule}` : `policy rule ${rule} "${name}"`;
    if (!f.reason.text.startsWith(english)) return null;
    const rest = f.reason.text.slice(english.length); // " (closed (Ferragosto)): tag" or ": tag"
    const when = rest.startsWith(' (') ? rest.slice(0, rest.lastIndexOf('): ') + 1) : '';
    return `${label}${when.replace('(closed', '(chiuso').replace('(open)', '(aperto)')}: ${f.str('action')}`;
  },
  'check-remembered': (f, loc) =>
    `ha superato la verifica il ${loc.date(f.time('passedAt'))}: passa senza verifica per ${f.match(/ for (\d+) days$/)} giorni`,
  'check-no-second-chance': (f, loc) =>
    `ha superato la verifica il ${loc.date(f.time('passedAt'))}, poi l'avete segnato come molesto il ${loc.date(f.time('markedAt'))}: nessuna seconda possibilità`,
};
