/**
 * A verdict's reasons in the office's language. The screening writes each reason once, in English, with the facts
 * it rests on (`params`, kept in the register beside the text); the panel says each from those facts, in Italian
 * (IT: the sentences the staff read in the register and on a number's page) and in English (EN: the text as
 * written, with what its facts say is a number, a prefix, a block or a category put as the office reads them, and
 * nothing else touched). A reason whose facts are missing or do not make its text (a row written by an older version)
 * keeps its English text as the panel always showed it: never a blank, never a made-up fact. The JSON API, the CSV
 * and the log keep the English text as written.
 */
import { span, talkSpan } from '../screening/decay.js';
import type { ReasonCode } from '../screening/types.js';
import { NAMES_SHOWN } from '../screening/friends.js';
import { importedFromText } from '../screening/mark-source.js';
import { mainRegion } from '../screening/number-prefixes.js';
import { FR_PACK } from '../screening/packs/fr.js';
import { IT_PACK } from '../screening/packs/it.js';
import { actionText } from './action-text.js';
import { categoryText } from './category-text.js';
import type { Locale } from './i18n.js';
import { withLastDigits } from './phone-text.js';
import { HIDDEN_DIGITS } from './withheld-reasons.js';

export interface ReasonLike {
  code: string;
  text: string;
  params?: Readonly<Record<string, string | number>> | undefined;
}

/** The reason as the page's language says it. */
export function reasonText(loc: Locale, r: ReasonLike): string {
  return fromFacts(loc, r) ?? (loc.lang === 'en' ? olderEnglish(r, loc) : r.text);
}

/** The reason's sentence in the page's language made from its facts, or null when they do not make its text. */
export function fromFacts(loc: Locale, r: ReasonLike): string | null {
  const render = loc.lang === 'en' ? EN[r.code as ReasonCode] : IT[r.code as ReasonCode];
  if (render === undefined) return null;
  try {
    return render(new Facts(r), loc);
  } catch {
    return null; // a fact missing or of another shape
  }
}

/**
 * The English text of a row EN cannot read from its facts (an unknown code, a fact missing or of another shape, a
 * friend's report written before its params said which item is a category): as written, with what looks like a
 * whole number (`+390212345679`), a prefix rule's prefix, a block of numbers and a mark's or report's category
 * rewritten where the text holds them, as the panel always showed such rows.
 */
export function olderEnglish(r: ReasonLike, loc: Locale): string {
  const text = englishCategory(
    r,
    ruleGrouped(r, loc).replace(E164_IN_TEXT, (e164) => loc.phone(e164)),
  );
  const block = r.code === 'nuisance-block' ? r.params?.['block'] : undefined;
  return typeof block === 'string' ? text.replace(block, blockText(block, r.params?.['prefix'], loc)) : text;
}

/** A whole number in E.164 as the screening writes it into a sentence. */
const E164_IN_TEXT = /\+\d{6,15}(?!\d)/g;

/** `value` (a fact that is a number: a DID, a caller ID, a number a token was signed for) as the office reads it. */
function phoneIn(value: string, loc: Locale): string {
  return value.replace(E164_IN_TEXT, (e164) => loc.phone(e164));
}

/** An older row's prefix rule with its prefix as the rules page writes it (`02 999`): its first `prefix rule <prefix>`. */
function ruleGrouped(r: ReasonLike, loc: Locale): string {
  const prefix = r.params?.['prefix'];
  if ((r.code !== 'prefix-rule' && r.code !== 'trusted-prefix') || typeof prefix !== 'string') return r.text;
  return r.text.replace(`prefix rule ${prefix}`, `prefix rule ${loc.prefix(prefix)}`);
}

/**
 * An older row's mark or friend's report with its category as the English pages name it (`telecoms` for `telecom`):
 * the text's end if it is the mark's category; a report's last item in the parentheses if it is a category's key
 * (such a row does not say which item is a category).
 */
function englishCategory(r: ReasonLike, text: string): string {
  if (r.code === 'marked-nuisance' || r.code === 'marked-trusted') {
    const category = r.params?.['category'];
    return typeof category === 'string' && text.endsWith(`${category})`)
      ? `${text.slice(0, text.length - category.length - 1)}${categoryText('en', category)})`
      : text;
  }
  if (r.code === 'friend-reports') {
    return text.replace(
      /^(reported by \d+ friends? \(.*, )([^,()]+)(\)(?:; \d+ needed to count)?)$/,
      (_, head: string, category: string, tail: string) => `${head}${categoryText('en', category)}${tail}`,
    );
  }
  return text;
}

/** A call's reasons on one line, as the register shows them. */
export function reasonsText(loc: Locale, reasons: readonly ReasonLike[]): string {
  return reasons.map((r) => reasonText(loc, r)).join('; ');
}

/**
 * Every reason the screening writes, and how the Italian panel says it: `it` rebuilt in Italian below, `en` kept in
 * English. Every code is Italian today; a new reason code does not compile until it is listed here, and the test
 * fails until it has its Italian sentence or is listed as `en` on purpose.
 */
export const REASON_LANGUAGE: Readonly<Record<ReasonCode, 'it' | 'en'>> = {
  'marked-nuisance': 'it',
  'marked-trusted': 'it',
  'prefix-rule': 'it',
  'trusted-prefix': 'it',
  'telemarketing-prefix': 'it',
  'survey-prefix': 'it',
  'automated-call-prefix': 'it',
  'repeat-after-refusal': 'it',
  'attempt-after-refusal': 'it',
  withheld: 'it',
  'unparsable-number': 'it',
  'internal-error': 'it',
  'unroutable-called-number': 'it',
  burst: 'it',
  sweep: 'it',
  'block-sweep': 'it',
  'short-calls': 'it',
  'off-hours': 'it',
  'nuisance-block': 'it',
  'prefix-evidence': 'it',
  'trap-did': 'it',
  'shaken-failed': 'it',
  'shaken-gateway': 'it',
  'shaken-orig-mismatch': 'it',
  'shaken-dest-mismatch': 'it',
  'shaken-full': 'it',
  'display-name-block': 'it',
  'friend-reports': 'it',
  'talked-with-you': 'it',
  bypass: 'it',
  'service-number': 'it',
  'allow-next': 'it',
  'called-by-us': 'it',
  'persistent-human': 'it',
  'display-name-allow': 'it',
  'text-pace': 'it',
  'policy-rule': 'it',
  'check-remembered': 'it',
  'check-no-second-chance': 'it',
  'check-not-possible': 'it',
  'range-repeat': 'it',
  'withheld-refusal': 'it',
};

/**
 * A block of numbers (`+39 06 8405 84xx`, as the screening writes it) as the office reads numbers: one of its own
 * country in national form (`06 8405 84xx`), grouped as the whole numbers are; a foreign one as written. The block's
 * E.164 prefix (`+3906840584`) is completed with zeros for its free digits, formatted, and those digits written x
 * again; anything that does not fit (no prefix, a grouping that does not end in those zeros) stays as written.
 */
function blockText(block: string, prefix: unknown, loc: Locale): string {
  const free = /x+$/.exec(block)?.[0].length ?? 0;
  if (free === 0 || typeof prefix !== 'string' || !/^\+\d+$/.test(prefix)) return block;
  const shown = loc.phone(prefix + '0'.repeat(free));
  if (shown.startsWith('+') || !shown.replace(/\D/g, '').endsWith('0'.repeat(free))) return block;
  return withLastDigits(shown, free, 'x');
}

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

/** "(Example Energia, energia)" from a mark's company and category (named in Italian), or nothing. */
function about(f: Facts): string {
  const category = f.optStr('category');
  const parts = [f.optStr('company'), category === null ? null : categoryText('it', category)].filter(
    (s): s is string => s !== null,
  );
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** An import's source in Italian (Mark.from; mark-source.ts has the English); the number page says it the same. */
export function importedFromIt(from: string): string {
  switch (from) {
    case 'import:json':
    case 'import:csv':
      return "un'esportazione di crocetta";
    case 'import:fritzbox':
      return 'un elenco FRITZ!Box';
    case 'import:list':
      return 'un elenco di numeri';
    case 'import:vcard':
      return 'una rubrica vCard';
    case 'import:ftc':
      return 'i dati dei reclami FTC';
    default:
      return "un'importazione";
  }
}

/** `da voi il 3 nov 2026`, or `il 3 nov 2026, importato da un elenco FRITZ!Box` for an imported mark. */
function markedWhenIt(f: Facts, day: string): string {
  const from = f.optStr('from');
  return from === null ? `da voi il ${day}` : `il ${day}, importato da ${importedFromIt(from)}`;
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

/**
 * `days` 0: the refusal was the same calendar day (classify.ts), "in 1 giorno" read as a day gone by. The ordinal next
 * to "dopo un rifiuto", the span last: "1° tentativo lo stesso giorno" read as the caller's first call of the day.
 */
const afterRefusal: Render = (f, loc) => {
  const days = f.num('days');
  const span = days === 0 ? 'lo stesso giorno' : `entro ${plural(days, 'giorno', 'giorni')}`;
  return `${f.num('attempt')}° tentativo dopo un rifiuto del ${loc.dayMonth(f.time('refusedAt'))} (${span})`;
};

/**
 * The repeat rule's English: the ordinal and the refusal's day as written, the span from `days`. Rows written before
 * session 47 ("1st attempt the same day after a refusal on 3 Nov") read in today's order too.
 */
const afterRefusalEnglish: Render = (f) => {
  const t = f.reason.text;
  const m =
    /^(\d+)(st|nd|rd|th) attempt (?:(?:in \d+ days?|the same day) after a refusal on (.+)|after a refusal on (.+) \((?:the same day|within \d+ days?)\))$/.exec(
      t,
    );
  if (m === null || Number(m[1]) !== f.num('attempt')) return null;
  const days = f.num('days');
  if (!(days >= 0 && Number.isInteger(days))) return null;
  const span = days === 0 ? 'the same day' : `within ${days === 1 ? '1 day' : `${days} days`}`;
  return `${m[1]}${m[2]} attempt after a refusal on ${m[3] ?? m[4]} (${span})`;
};

const IT: Partial<Record<ReasonCode, Render>> = {
  'marked-nuisance': (f, loc) => `segnato come molesto ${markedWhenIt(f, loc.date(f.time('markedAt')))}${about(f)}`,
  'marked-trusted': (f, loc) => `segnato come fidato ${markedWhenIt(f, loc.date(f.time('markedAt')))}${about(f)}`,
  'telemarketing-prefix': (f) => `prefisso AGCOM del telemarketing ${f.str('prefix')}`,
  'survey-prefix': (f) => `prefisso AGCOM dei sondaggi statistici ${f.str('prefix')}`,
  'automated-call-prefix': (f) => `numerazione ARCEP delle chiamate automatiche ${f.str('prefix')}`,
  'repeat-after-refusal': afterRefusal,
  'attempt-after-refusal': afterRefusal,
  withheld: (f) => WITHHELD[f.str('why')] ?? null,
  'unparsable-number': (f) => `l'identificativo del chiamante non è un numero valido (${f.match(/\((".*")\)$/)})`,
  burst: (f, loc) =>
    `${f.num('attempts')} tentativi in ${f.num('windowMinutes')} min (${f.now ? 'ora' : loc.dateTime(f.time('at'))})`,
  // A text's sweep says "contacted" (behaviour.ts): its calls and texts are counted alike.
  sweep: (f, loc) =>
    `${f.reason.text.startsWith('contacted ') ? 'ha contattato' : 'ha chiamato'} ${f.num('dids')} dei vostri numeri in ${f.match(/ within (.+?) \(/).replace(/ days$/, ' giorni')} (${f.now ? 'ora' : loc.dateTime(f.time('at'))})`,
  'short-calls': (f, loc) =>
    `${f.num('calls') === 1 ? '1 chiamata risposta più breve' : `${f.num('calls')} chiamate risposte più brevi`} di ${f.num('maxSeconds')} s (l'ultima: ${loc.dateTime(f.time('last'))})`,
  'nuisance-block': (f, loc) => {
    const what = f.reason.params?.['marked'] !== undefined ? 'numeri che avete segnato come molesti' : 'numeri molesti';
    const spread = f.optStr('level') === 'large' ? ` (${plural(f.num('spread'), 'blocco', 'blocchi')} da dieci)` : '';
    return `${f.num('members')} ${what} in ${blockText(f.str('block'), f.optStr('prefix'), loc)}${spread}`;
  },
  // A text's trap reason says "texted" (this text) or "contacted" (an earlier call or text): classify.ts trapReason.
  'trap-did': (f, loc) => {
    const verb = f.match(/^(called|texted|contacted) /);
    const call = verb === 'called';
    if (!f.reason.text.endsWith(call ? TRAP_CALL_TAIL : TRAP_TEXT_TAIL)) return null;
    const who = call
      ? 'lo chiamano solo i centralini automatici che scorrono un elenco'
      : 'lo raggiungono solo gli invii automatici che scorrono un elenco';
    return `${TRAP_VERB_IT[verb] ?? 'ha chiamato'} ${loc.phone(f.str('did'))} (${f.now ? 'ora' : `il ${loc.dayMonth(f.time('at'))}`}), un vostro numero mai pubblicato: ${who}`;
  },
  'friend-reports': (f) => {
    const report = friendReport(f);
    if (report === null) return olderFriendReport(f);
    const more = report.more === null ? '' : `, ${report.more === 1 ? '1 altro' : `altri ${report.more}`}`;
    const gate = report.gated ? `; ne servono ${f.num('consensus')} perché conti` : '';
    return `segnalato da ${plural(report.friends, 'amico', 'amici')} (${report.names}${more}${aboutText('it', report)})${gate}`;
  },
  'talked-with-you': (f, loc) =>
    `avete parlato con questo chiamante il ${loc.dayMonth(f.time('at'))} (${talkSpan(f.num('seconds'), 'giorni')}): le segnalazioni degli amici lo segnano solo come sospetto`,
  'shaken-gateway': (f) =>
    f.str('attest') === 'C' ? "l'identificativo non è attestato dal gestore (STIR/SHAKEN C, gateway)" : null,
  'shaken-full': (f) => (f.str('attest') === 'A' ? "l'identificativo è attestato dal gestore (STIR/SHAKEN A)" : null),
  'shaken-orig-mismatch': (f, loc) =>
    `l'identificativo ${loc.phone(f.str('callerId'))} non corrisponde al numero per cui è stato firmato il token STIR/SHAKEN (${loc.phone(f.str('signedFor'))})`,
  'shaken-dest-mismatch': (f, loc) =>
    `token STIR/SHAKEN firmato per una chiamata a ${loc.phone(f.str('signedFor'))}, non al vostro ${loc.phone(f.str('called'))} (riutilizzato, o inoltrato)`,
  'service-number': (f) => `numero di emergenza o di servizio ${f.str('number')}: mai bloccato`,
  'allow-next': (f, loc) =>
    `fatto passare una volta: il ${loc.date(f.time('setAt'))} avete chiesto di far passare ${f.reason.text.endsWith(' next text through') ? 'il prossimo messaggio' : 'la prossima chiamata'}`,
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
    return `${label}${when.replace('(closed', '(chiuso').replace('(open)', '(aperto)')}: ${actionText('it', f.str('action'))}`;
  },
  'check-remembered': (f, loc) =>
    `ha superato la verifica il ${loc.date(f.time('passedAt'))}: passa senza verifica per ${f.match(/ for (\d+) days$/)} giorni`,
  'check-no-second-chance': (f, loc) =>
    f.optStr('from') === null
      ? `ha superato la verifica il ${loc.date(f.time('passedAt'))}, poi l'avete segnato come molesto il ${loc.date(f.time('markedAt'))}: nessuna seconda possibilità`
      : `ha superato la verifica il ${loc.date(f.time('passedAt'))}, poi segnato come molesto ${markedWhenIt(f, loc.date(f.time('markedAt')))}: nessuna seconda possibilità`,
  'prefix-rule': (f, loc) => {
    const verdict = VERDICT[f.str('verdict')];
    return verdict === undefined
      ? null
      : `${verdict} per la vostra regola di prefisso ${loc.prefix(f.str('prefix'))}${label(f)}`;
  },
  'trusted-prefix': (f, loc) => `fidato per la vostra regola di prefisso ${loc.prefix(f.str('prefix'))}${label(f)}`,
  'internal-error': (f) =>
    f.reason.text === 'not screened because of an internal error: forwarded to the PBX'
      ? 'non esaminata per un errore interno: passata al centralino'
      : null,
  'unroutable-called-number': (f) =>
    `il numero chiamato non si legge (utente della Request-URI ${f.match(/\(Request-URI user (.*)\): not forwarded$/)}): non inoltrata`,
  'block-sweep': (f) =>
    `${f.num('numbers')} numeri di ${f.match(/^\d+ numbers of (.+) (?:rang|contacted) \d+ of your numbers within /)} ${f.match(/^\d+ numbers of .+ (rang|contacted) \d+ of your numbers within /) === 'rang' ? 'hanno chiamato' : 'hanno contattato'} ${f.num('dids')} dei vostri numeri in ${italianSpan(f.match(/ within (.+) \(now\)$/))} (ora)`,
  'off-hours': (f) => {
    if (f.reason.text === 'calling outside business hours') return 'chiama fuori dall’orario di apertura';
    if (f.reason.text === 'a text outside business hours') return 'un messaggio fuori dall’orario di apertura';
    const times = f.num('times');
    // A text's count is of attempts, calls and texts alike (behaviour.ts).
    if (f.reason.text === `a text outside business hours (${times} attempts lately)`)
      return `un messaggio fuori dall’orario di apertura (${times} tentativi di recente)`;
    if (f.reason.text !== `calling outside business hours (${times} times lately)`) return null;
    return `chiama fuori dall’orario di apertura (${times} volte di recente)`;
  },
  'prefix-evidence': prefixEvidence,
  'shaken-failed': (f) => SHAKEN_FAILED[f.reason.text] ?? null,
  'display-name-block': (f) => {
    const pattern = f.str('pattern');
    return f.reason.text === `display name "${f.str('name')}" matches your block pattern ${pattern}`
      ? `il nome mostrato "${f.str('name')}" corrisponde al vostro schema di blocco ${pattern}`
      : null;
  },
  'display-name-allow': (f) => {
    const pattern = f.str('pattern');
    const head = 'display name "';
    const tail = `" matches your allow pattern ${pattern}`;
    const text = f.reason.text;
    if (!text.startsWith(head) || !text.endsWith(tail)) return null;
    return `il nome mostrato "${text.slice(head.length, text.length - tail.length)}" corrisponde al vostro schema di fiducia ${pattern}`;
  },
  bypass: (f, loc) => {
    const rule = f.str('rule');
    const text = f.reason.text;
    if (text === `one of your own numbers (${rule}): not screened`)
      return `uno dei vostri numeri (${loc.phone(rule)}): non esaminato`;
    const head = 'internal caller ';
    const tail = ` (bypass rule ${rule}): not screened`;
    if (!text.startsWith(head) || !text.endsWith(tail)) return null;
    return `chiamante interno ${text.slice(head.length, text.length - tail.length)} (regola di esclusione ${rule}): non esaminato`;
  },
  'check-not-possible': (f) => {
    const problem = CHECK_PROBLEMS[f.match(/^human check not possible \((.+)\): tagged instead$/)];
    return problem === undefined ? null : `verifica umana non possibile (${problem}): passata segnata come sospetta`;
  },
  'range-repeat': (f) =>
    `ha richiamato dopo un rifiuto basato solo sulle prove contro il suo paese o la sua numerazione, e nient’altro contro questo numero: ${actionText('it', f.str('action'))} invece (actions.rangeRepeat)`,
  'text-pace': (f) => {
    const pace = f
      .str('pace')
      .split(', ')
      .map((code) => (Object.hasOwn(PACE_IT, code) ? PACE_IT[code] : undefined));
    if (pace.length === 0 || pace.includes(undefined)) return null;
    return `un messaggio reso sospetto solo dal suo ritmo (${pace.join(', ')}), come i codici monouso di una banca: al massimo segnato, mai rifiutato per questo`;
  },
  'withheld-refusal': (f) =>
    `rifiutata solo perché ha nascosto il numero (con il numero visibile: ${actionText('it', f.str('action'))}): non conta come rifiuto del numero`,
};

/** A text's pace (classify.ts PACE, the `text-pace` reason's `pace`) in Italian. */
const PACE_IT: Readonly<Record<string, string>> = {
  burst: 'molti tentativi ravvicinati',
  sweep: 'più vostri numeri',
  'block-sweep': 'numeri di uno stesso blocco',
  'off-hours': 'fuori orario',
};

/** A friend's report's Italian sentence as the panel said it before its params named its items (an older row). */
function olderFriendReport(f: Facts): string {
  const inner = f
    .match(/^reported by \d+ friends? \((.*)\)(?:; \d+ needed to count)?$/)
    .replace(/\b(\d+) more\b/, (_, n: string) => (n === '1' ? '1 altro' : `altri ${n}`))
    // The company's category comes last: a known one is named in Italian.
    .replace(/, ([^,]+)$/, (_, c: string) => `, ${categoryText('it', c)}`);
  const gate = /; \d+ needed to count$/.test(f.reason.text) ? `; ne servono ${f.num('consensus')} perché conti` : '';
  return `segnalato da ${plural(f.num('friends'), 'amico', 'amici')} (${inner})${gate}`;
}

/** A friend's report as friends.ts wrote it: the names it shows, the companies and categories after them. */
interface FriendReportShown {
  friends: number;
  /** The friends named, as written (`alfa, beta, gamma`). */
  names: string;
  /** How many more friends than those named (`1 more`), or null. */
  more: number | null;
  items: ReadonlyArray<{ text: string; category: boolean }>;
  /** Fewer friends than the consensus: the report does not count (`; 3 needed to count`). */
  gated: boolean;
}

/**
 * A friend's report read from its facts: the companies and categories it shows (`company`, `category`, `company2`,
 * `category2`; `about` of them), found at the end of the parentheses exactly as written, the names before them. Null
 * for a row written before friends.ts said which item is which (no `about`); throws for a text that does not fit.
 */
function friendReport(f: Facts): FriendReportShown | null {
  if (f.reason.params?.['about'] === undefined) return null;
  const friends = f.num('friends');
  const consensus = f.num('consensus');
  const item = (key: string, category: boolean): Array<{ text: string; category: boolean }> => {
    const text = f.reason.params?.[key];
    return typeof text === 'string' ? [{ text, category }] : [];
  };
  const companies = [...item('company', false), ...item('company2', false)];
  const categories = [...item('category', true), ...item('category2', true)];
  if (companies.length + categories.length !== f.num('about')) throw new Error('about does not count the items');
  const gated = friends < consensus;
  const head = `reported by ${friends === 1 ? '1 friend' : `${friends} friends`} (`;
  const tail = gated ? `); ${consensus} needed to count` : ')';
  const text = f.reason.text;
  if (!text.startsWith(head) || !text.endsWith(tail) || text.length < head.length + tail.length)
    throw new Error('not a report of these friends');
  let body = text.slice(head.length, text.length - tail.length);
  // One company and one category: shown in the order the reports named them.
  const orders =
    companies.length === 1 && categories.length === 1
      ? [
          [...companies, ...categories],
          [...categories, ...companies],
        ]
      : [[...companies, ...categories]];
  const suffixOf = (items: ReadonlyArray<{ text: string }>): string => items.map((i) => `, ${i.text}`).join('');
  const items = orders.find((o) => body.endsWith(suffixOf(o)));
  if (items === undefined) throw new Error('the items are not at the end');
  body = body.slice(0, body.length - suffixOf(items).length);
  let more: number | null = null;
  if (friends > NAMES_SHOWN) {
    more = friends - NAMES_SHOWN;
    if (!body.endsWith(`, ${more} more`)) throw new Error('no count of the friends not named');
    body = body.slice(0, body.length - `, ${more} more`.length);
  }
  return { friends, names: body, more, items, gated };
}

/** `, Acme, telefonia`: a report's companies as written, its categories named in `lang`. */
function aboutText(lang: Locale['lang'], report: FriendReportShown): string {
  return report.items.map((i) => `, ${i.category ? categoryText(lang, i.text) : i.text}`).join('');
}

/** The text as written when `ok` says it is the sentence the writer makes of these facts. */
const asWritten =
  (ok: (f: Facts, text: string) => boolean): Render =>
  (f) =>
    ok(f, f.reason.text) ? f.reason.text : null;

/** `text` is `head` + something + `tail`. */
const between = (text: string, head: string, tail: string): boolean =>
  text.length >= head.length + tail.length && text.startsWith(head) && text.endsWith(tail);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A mark: its date as written, its company as written, its category named in English. */
const markEnglish: Render = (f) => {
  const company = f.optStr('company');
  const category = f.optStr('category');
  const written = [company, category].filter((s): s is string => s !== null);
  const shown = [company, category === null ? null : categoryText('en', category)].filter(
    (s): s is string => s !== null,
  );
  const suffix = written.length > 0 ? ` (${written.join(', ')})` : '';
  const head = f.reason.text.slice(0, f.reason.text.length - suffix.length);
  const label = f.reason.code === 'marked-trusted' ? 'trusted' : 'nuisance';
  f.time('markedAt');
  const from = f.optStr('from');
  const when = from === null ? 'by you on [^()]+' : `on [^()]+, imported from ${escapeRegExp(importedFromText(from))}`;
  if (!f.reason.text.endsWith(suffix) || !new RegExp(`^marked ${label} ${when}$`).test(head)) return null;
  return shown.length > 0 ? `${head} (${shown.join(', ')})` : head;
};

/** A prefix rule: its prefix as the rules page writes it (`02 999`, `+44 20 79`), its label as written. */
const prefixRuleEnglish: Render = (f, loc) => {
  const verdict = f.reason.code === 'trusted-prefix' ? 'trusted' : f.str('verdict');
  const prefix = f.str('prefix');
  const label = f.str('label');
  const tail = label === '' ? '' : ` (${label})`;
  const head = `${verdict} by your prefix rule `;
  if (f.reason.text !== `${head}${prefix}${tail}`) return null;
  return `${head}${loc.prefix(prefix)}${tail}`;
};

/** A country pack's range: `AGCOM telemarketing prefix 0844`. */
const packEnglish =
  (code: ReasonCode): Render =>
  (f) => {
    const entry = [...IT_PACK, ...FR_PACK].find((e) => e.code === code);
    return entry !== undefined && f.reason.text === `${entry.describe} ${f.str('prefix')}` ? f.reason.text : null;
  };

/**
 * Every reason in English, from its facts as its writer put them: a fact that is a number formatted as the office
 * reads numbers, a prefix rule's prefix grouped, a block of numbers in national form, a category by its English name;
 * names, labels, patterns and raw caller IDs exactly as written. Null (or a throw) when the text is not the sentence
 * its facts make: olderEnglish then shows it.
 */
const EN: Readonly<Record<ReasonCode, Render>> = {
  'marked-nuisance': markEnglish,
  'marked-trusted': markEnglish,
  'prefix-rule': prefixRuleEnglish,
  'trusted-prefix': prefixRuleEnglish,
  'telemarketing-prefix': packEnglish('telemarketing-prefix'),
  'survey-prefix': packEnglish('survey-prefix'),
  'automated-call-prefix': packEnglish('automated-call-prefix'),
  'repeat-after-refusal': afterRefusalEnglish,
  'attempt-after-refusal': afterRefusalEnglish,
  withheld: asWritten(
    (f, t) =>
      typeof WITHHELD[f.str('why')] === 'string' &&
      /^(?:number withheld(?: \(.+\))?|anonymous caller|no caller number given)$/.test(t),
  ),
  'unparsable-number': asWritten(
    (f, t) => typeof f.str('raw') === 'string' && /^caller ID is not a valid number \(".*"\)$/.test(t),
  ),
  'internal-error': asWritten((_, t) => t === 'not screened because of an internal error: forwarded to the PBX'),
  'unroutable-called-number': asWritten((_, t) =>
    /^the number called could not be read \(Request-URI user .*\): not forwarded$/.test(t),
  ),
  burst: asWritten((f, t) => between(t, `${f.num('attempts')} attempts within ${f.num('windowMinutes')} min (`, ')')),
  sweep: asWritten(
    (f, t) =>
      between(t, `rang ${f.num('dids')} of your numbers within `, ')') ||
      between(t, `contacted ${f.num('dids')} of your numbers within `, ')'),
  ),
  'block-sweep': asWritten((f, t) =>
    new RegExp(
      `^${f.num('numbers')} numbers of .+ (?:rang|contacted) ${f.num('dids')} of your numbers within .+ \\(now\\)$`,
    ).test(t),
  ),
  'short-calls': asWritten((f, t) => {
    const calls = f.num('calls');
    return between(
      t,
      `${calls === 1 ? '1 answered call' : `${calls} answered calls`} shorter than ${f.num('maxSeconds')} s (last `,
      ')',
    );
  }),
  'off-hours': asWritten((f, t) => {
    const times = f.num('times');
    return (
      t ===
        (times === 1 ? 'calling outside business hours' : `calling outside business hours (${times} times lately)`) ||
      t === (times === 1 ? 'a text outside business hours' : `a text outside business hours (${times} attempts lately)`)
    );
  }),
  'nuisance-block': (f, loc) => {
    const block = f.str('block');
    const large = f.str('level') === 'large';
    const what = f.reason.params?.['marked'] !== undefined ? 'numbers you marked nuisance' : 'nuisance numbers';
    const spread = large ? ` (${f.num('spread')} blocks of ten)` : '';
    const head = `${f.num('members')} ${what} in `;
    if (f.reason.text !== `${head}${block}${spread}`) return null;
    return `${head}${blockText(block, f.optStr('prefix'), loc)}${spread}`;
  },
  'prefix-evidence': asWritten(
    (f, t) => typeof f.str('level') === 'string' && / refused or marked nuisance lately/.test(t),
  ),
  'trap-did': (f, loc) => {
    const did = f.str('did');
    const verb = f.match(/^(called|texted|contacted) /);
    const head = `${verb} ${did} (`;
    const tail = verb === 'called' ? TRAP_CALL_TAIL : TRAP_TEXT_TAIL;
    if (!between(f.reason.text, head, tail)) return null;
    return `${verb} ${phoneIn(did, loc)}${f.reason.text.slice(head.length - 2)}`;
  },
  'shaken-failed': asWritten((_, t) => SHAKEN_FAILED[t] !== undefined),
  'shaken-gateway': asWritten(
    (f, t) => f.str('attest') === 'C' && t === 'caller ID not attested by the carrier (STIR/SHAKEN C, gateway)',
  ),
  'shaken-full': asWritten((_, t) => t === 'caller ID attested by the carrier (STIR/SHAKEN A)'),
  'shaken-orig-mismatch': (f, loc) => {
    const sentence = (callerId: string, signedFor: string): string =>
      `caller ID ${callerId} does not match the number its STIR/SHAKEN token was signed for (${signedFor})`;
    const callerId = f.str('callerId');
    const signedFor = f.str('signedFor');
    if (f.reason.text !== sentence(callerId, signedFor)) return null;
    return sentence(phoneIn(callerId, loc), phoneIn(signedFor, loc));
  },
  'shaken-dest-mismatch': (f, loc) => {
    const sentence = (signedFor: string, called: string): string =>
      `STIR/SHAKEN token signed for a call to ${signedFor}, not to your ${called} (replayed, or forwarded)`;
    const signedFor = f.str('signedFor');
    const called = f.str('called');
    if (f.reason.text !== sentence(signedFor, called)) return null;
    return sentence(phoneIn(signedFor, loc), phoneIn(called, loc));
  },
  'display-name-block': asWritten(
    (f, t) => t === `display name "${f.str('name')}" matches your block pattern ${f.str('pattern')}`,
  ),
  'display-name-allow': asWritten((f, t) =>
    between(t, 'display name "', `" matches your allow pattern ${f.str('pattern')}`),
  ),
  'friend-reports': (f) => {
    const report = friendReport(f);
    if (report === null) return null;
    const more = report.more === null ? '' : `, ${report.more} more`;
    const gate = report.gated ? `; ${f.num('consensus')} needed to count` : '';
    return `reported by ${report.friends === 1 ? '1 friend' : `${report.friends} friends`} (${report.names}${more}${aboutText('en', report)})${gate}`;
  },
  'talked-with-you': asWritten(
    (f, t) =>
      f.time('at') > 0 &&
      f.num('seconds') >= 0 &&
      between(t, 'you talked with this caller on ', ` (${talkSpan(f.num('seconds'))}): friends' reports only tag it`),
  ),
  bypass: (f, loc) => {
    const rule = f.str('rule');
    const text = f.reason.text;
    if (text === `one of your own numbers (${rule}): not screened`)
      return `one of your own numbers (${phoneIn(rule, loc)}): not screened`;
    return between(text, 'internal caller ', ` (bypass rule ${rule}): not screened`) ? text : null;
  },
  'service-number': asWritten((f, t) => t === `emergency or service number ${f.str('number')}: never blocked`),
  'allow-next': asWritten(
    (f, t) => f.time('setAt') > 0 && /^let through once: you asked on .+ to let the next (call|text) through$/.test(t),
  ),
  'called-by-us': asWritten((f, t) => f.time('calledAt') > 0 && /^you called this number on .+$/.test(t)),
  'persistent-human': asWritten((f, t) => f.num('seconds') >= 0 && /^talked .+ with you on .+$/.test(t)),
  'policy-rule': asWritten((f, t) => {
    const name = f.optStr('name');
    const head = name === null ? `policy rule ${f.num('rule')}` : `policy rule ${f.num('rule')} "${name}"`;
    return between(t, head, `: ${f.str('action')}`);
  }),
  'check-remembered': asWritten(
    (f, t) => f.time('passedAt') > 0 && /^passed the check on .+: let through without one for \d+ days$/.test(t),
  ),
  'check-no-second-chance': asWritten(
    (f, t) =>
      f.time('passedAt') > 0 &&
      f.time('markedAt') > 0 &&
      /^passed the check on .+, then marked nuisance (by you on .+|on .+, imported from .+): no second chance$/.test(t),
  ),
  'check-not-possible': asWritten((_, t) => /^human check not possible \(.+\): tagged instead$/.test(t)),
  'range-repeat': asWritten((f, t) =>
    between(t, 'called again after a refusal that rested on ', `: ${f.str('action')} instead (actions.rangeRepeat)`),
  ),
  'text-pace': asWritten(
    (f, t) =>
      t ===
      `a text made suspect by its pace alone (${f.str('pace')}), as a bank's one-time codes are: tagged at most, never refused for it`,
  ),
  'withheld-refusal': asWritten(
    (f, t) =>
      t ===
      `refused only for withholding its number (with it shown: ${f.str('action')}): not counted as a refusal of the number`,
  ),
};

/** The trap reason's verb (classify.ts trapReason: a call's "called", a text's "texted" or "contacted") in Italian. */
const TRAP_VERB_IT: Record<string, string> = {
  called: 'ha chiamato',
  texted: 'ha scritto a',
  contacted: 'ha contattato',
};
const TRAP_CALL_TAIL = '), a number of yours that is never published: only diallers going down a list call it';
const TRAP_TEXT_TAIL = '), a number of yours that is never published: only senders going down a list reach it';

const VERDICT: Record<string, string> = { nuisance: 'molesto', suspect: 'sospetto', unknown: 'sconosciuto' };

/** " (the rule's label)", or nothing. */
function label(f: Facts): string {
  const l = f.optStr('label');
  return l === null ? '' : ` (${l})`;
}

/** decay.ts's span ("6 min", "2 h 5 min", "3 days") in Italian. */
function italianSpan(text: string): string {
  return text.replace(/^1 days$/, '1 giorno').replace(/ days$/, ' giorni');
}

const SHAKEN_FAILED: Record<string, string> = {
  'caller ID signature (STIR/SHAKEN) is invalid': "la firma dell'identificativo (STIR/SHAKEN) non è valida",
  'the carrier could not verify the caller ID (TN-Validation-Failed)':
    "il gestore non ha potuto verificare l'identificativo (TN-Validation-Failed)",
};

/** Why a human check could not be made (call-plan.ts's words). */
const CHECK_PROBLEMS: Record<string, string> = {
  'a SIP MESSAGE cannot press a key': 'un SMS (SIP MESSAGE) non può premere un tasto',
  'media is off': "l'audio di crocetta è spento",
  'the INVITE has no SDP offer': "l'INVITE non ha un'offerta SDP",
  'its SDP offer cannot be read': 'la sua offerta SDP non si legge',
  'its offer has no audio': 'la sua offerta non ha audio',
  'its offer has no media address': "la sua offerta non ha un indirizzo per l'audio",
  'its audio does not receive': 'il suo audio non riceve',
  'its offer has no G.711': 'la sua offerta non ha G.711',
};

const itRegions = new Intl.DisplayNames(['it'], { type: 'region' });

/** The number types the prefix tree names in an area's label ("+39 347 (mobile)"). */
const AREA_TYPES: Record<string, string> = {
  mobile: 'cellulari',
  'fixed line': 'rete fissa',
  'fixed line or mobile': 'rete fissa o cellulari',
  'toll-free': 'numeri verdi',
  'premium rate': 'tariffa maggiorata',
  VoIP: 'VoIP',
  'shared cost': 'costo ripartito',
  'personal number': 'numeri personali',
  'company number': 'numeri aziendali',
};

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IT_MONTHS = ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'];

/**
 * The prefix tree's estimate (prefix-evidence.ts's prefixText): the counts as the English text says them (they are
 * rounded there), the country's name in Italian from its calling code, the area's number type, the last day.
 */
function prefixEvidence(f: Facts): string | null {
  const text = f.reason.text;
  const level = f.str('level');
  const block =
    /^(\d+) (number|numbers|number range|number ranges) in (.+) refused or marked nuisance lately; (.+)$/.exec(text);
  if (level === 'block') {
    if (block === null) return null;
    const [, n = '', unit = '', where = '', callers = ''] = block;
    const legit =
      callers === 'none of your callers calls from there'
        ? 0
        : Number(/^(\d+) of your callers calls? from there$/.exec(callers)?.[1] ?? NaN);
    if (!Number.isFinite(legit)) return null;
    const what = unit.startsWith('number range')
      ? plural(Number(n), 'blocco di numeri', 'blocchi di numeri')
      : plural(Number(n), 'numero', 'numeri');
    const who =
      legit === 0
        ? 'nessuno dei vostri chiamanti chiama da lì'
        : `${legit === 1 ? '1 dei vostri chiamanti chiama' : `${legit} dei vostri chiamanti chiamano`} da lì`;
    return `${what} in ${where} ${Number(n) === 1 ? 'rifiutato o segnato come molesto' : 'rifiutati o segnati come molesti'} di recente; ${who}`;
  }
  const range =
    /^(\d+) number ranges? of (.+) with calls refused or marked nuisance lately(?: \(last on (\d{1,2}) ([A-Z][a-z]{2})\))?; (.+)$/.exec(
      text,
    );
  if (range === null) return null;
  const [, n = '', where = '', day, month, callers = ''] = range;
  let place: string;
  // A withheld caller's range is not said (withheld-reasons.ts).
  if (where === HIDDEN_DIGITS) place = HIDDEN_DIGITS;
  else if (level === 'country') {
    const code = f.str('prefix').replace(/^\+/, '');
    const region = mainRegion(code);
    if (region === null || where !== `${where.replace(/ \(\+\d+\)$/, '')} (+${code})`) return null;
    place = `${itRegions.of(region) ?? region} (+${code})`;
  } else {
    const area = /^(\+\d+ \d+)(?: \((.+)\))?$/.exec(where);
    if (area === null) return null;
    const type = area[2] === undefined ? undefined : AREA_TYPES[area[2]];
    if (area[2] !== undefined && type === undefined) return null;
    place = type === undefined ? (area[1] ?? '') : `${area[1]} (${type})`;
  }
  let last = '';
  if (day !== undefined && month !== undefined) {
    const m = EN_MONTHS.indexOf(month);
    if (m < 0) return null;
    last = ` (l’ultima il ${day} ${IT_MONTHS[m]})`;
  }
  const legit =
    callers === 'none of your callers calls from there'
      ? 0
      : Number(/^your callers call from (\d+) of its ranges$/.exec(callers)?.[1] ?? NaN);
  if (!Number.isFinite(legit)) return null;
  const who =
    legit === 0
      ? 'nessuno dei vostri chiamanti chiama da lì'
      : `i vostri chiamanti chiamano da ${plural(legit, 'dei suoi blocchi', 'dei suoi blocchi')}`;
  return `${plural(Number(n), 'blocco di numeri', 'blocchi di numeri')} in ${place} con chiamate rifiutate o segnate come moleste di recente${last}; ${who}`;
}
