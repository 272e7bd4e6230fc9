/**
 * What crocetta did with a call, as office staff read it in Italian or English: the register keeps the action as
 * the configuration writes it (`allow`, `reject:607`, `announce-early`, `check:12`), and so do the API, the CSV and
 * the filter's URL; the panel shows words. An action this file does not know (a row of a newer version) is shown as
 * written.
 */
import { html, type SafeHtml } from './html.js';
import type { Lang } from './i18n.js';

const WORDS = {
  en: {
    allow: 'let through',
    tag: 'let through, tagged suspect',
    redirect: 'sent to the PBX (redirect)',
    reject: 'refused',
    'announce-early': 'refusal message, not answered',
    'announce-answer': 'answered with the refusal message',
    hangup: 'answered and hung up',
    check: 'human check (press a key)',
    checkSeconds: 'human check ({s} s to press a key)',
    'no-pbx': 'let through, no PBX registered (480)',
    unroutable: 'not forwarded, the called number unreadable',
    code: 'code {code}',
  },
  it: {
    allow: 'lasciata passare',
    tag: 'passata, segnata sospetta',
    redirect: 'mandata al centralino (redirect)',
    reject: 'rifiutata',
    'announce-early': 'messaggio di rifiuto, senza risposta',
    'announce-answer': 'risposta con il messaggio di rifiuto',
    hangup: 'risposta e chiusa subito',
    check: 'verifica umana (premere un tasto)',
    checkSeconds: 'verifica umana ({s} s per premere un tasto)',
    'no-pbx': 'lasciata passare, nessun centralino registrato (480)',
    unroutable: 'non inoltrata, numero chiamato illeggibile',
    code: 'codice {code}',
  },
} as const satisfies Record<Lang, Record<string, string>>;

/** The SIP refusals an office configures, by what the caller's phone shows or says. */
const STATUS: Record<Lang, Record<string, string>> = {
  en: {
    '404': '404 no such number',
    '433': '433 anonymous calls not accepted',
    '480': '480 unavailable',
    '486': '486 busy',
    '603': '603 declined',
    '607': '607 unwanted',
    '608': '608 rejected by screening',
  },
  it: {
    '404': '404 numero inesistente',
    '433': '433 chiamate anonime non accettate',
    '480': '480 non disponibile',
    '486': '486 occupato',
    '603': '603 rifiutata',
    '607': '607 indesiderata',
    '608': '608 respinta dal filtro',
  },
};

/** `reject:607` → "rifiutata (607 indesiderata)", `check:12` → "verifica umana (12 s per premere un tasto)". */
export function actionText(lang: Lang, action: string): string {
  const w = WORDS[lang];
  const [kind = '', arg] = action.split(':', 2);
  if (kind === 'reject') {
    const status = arg ?? '607';
    if (!/^[4-6]\d\d$/.test(status)) return action;
    return `${w.reject} (${STATUS[lang][status] ?? w.code.replace('{code}', status)})`;
  }
  if (kind === 'check') {
    if (arg === undefined) return w.check;
    return /^\d+$/.test(arg) ? w.checkSeconds.replace('{s}', arg) : action;
  }
  if (arg !== undefined) return action;
  switch (kind) {
    case 'allow':
    case 'tag':
    case 'redirect':
    case 'announce-early':
    case 'announce-answer':
    case 'hangup':
    case 'no-pbx':
    case 'unroutable':
      return w[kind];
    default:
      return action;
  }
}

/** The register filter's choices (an action kind: `reject` matches every code) as words. */
export function actionKindText(lang: Lang, kind: string): string {
  return kind === 'reject' ? WORDS[lang].reject : actionText(lang, kind);
}

/** The words, with the configuration's own spelling as the tooltip (what `actions.*` and the API say). */
export function actionCell(lang: Lang, action: string): SafeHtml {
  const text = actionText(lang, action);
  return text === action ? html`${action}` : html`<span title="${action}">${text}</span>`;
}
