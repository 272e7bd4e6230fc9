/**
 * A dossier's breach in the page's language. The rules (src/dossier/rules.ts) write each breach once, in English,
 * with the facts it states; an Italian dossier (the panel's page, the CLI's `--lang it` file) says it again in
 * Italian from those facts, legal references as written (they are names: décret 2022-1313, Legge 5/2018). The CSV,
 * the JSON and the log keep the English text.
 */
import type { Breach } from '../dossier/rules.js';
import { FR_MAX_ATTEMPTS, FR_REFUSAL_WAIT_DAYS, FR_WINDOW_DAYS } from '../dossier/rules.js';
import { categoryText } from './category-text.js';
import type { Lang } from './i18n.js';

const DECREE = 'FR décret 2022-1313';
const GIORNI = ['', 'lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'];

/** `2026-11-05` → `5/11/2026`, as an Italian reads a date; anything else as written. */
function dataItaliana(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : iso;
}

function italian(b: Breach): string {
  const f = b.facts;
  switch (f.rule) {
    case 'fr-hours': {
      const at = `alle ${f.at}, ora di ${f.timeZone}`;
      const why =
        f.when === 'weekend'
          ? `di ${GIORNI[f.weekday] ?? 'fine settimana'} (${at})`
          : f.when === 'holiday'
            ? `in un giorno festivo, ${f.holiday ?? ''} (${at})`
            : `${at}`;
      return `chiamata ${why}, fuori dalle fasce consentite, dal lunedì al venerdì 10:00–13:00 e 14:00–20:00 (${DECREE})`;
    }
    case 'fr-frequency':
      return `${f.attempt}° tentativo in ${FR_WINDOW_DAYS} giorni (${DECREE}, al massimo ${FR_MAX_ATTEMPTS})`;
    case 'fr-refusal':
      return `chiamata ${f.days === 0 ? 'lo stesso giorno di' : `${f.days} ${f.days === 1 ? 'giorno' : 'giorni'} dopo`} un rifiuto del ${dataItaliana(f.refusedOn)} (${DECREE}: ${FR_REFUSAL_WAIT_DAYS} giorni di attesa)`;
    case 'it-rpo':
    case 'it-0844-rpo':
      return `${f.rule === 'it-0844-rpo' ? 'il prefisso AGCOM del telemarketing 0844 ha chiamato' : 'chiamata a'} un numero iscritto al Registro Pubblico delle Opposizioni dal ${dataItaliana(f.registeredOn)}, vincolante dal ${dataItaliana(f.bindingFrom)} dopo i ${f.graceDays} giorni concessi agli operatori (Legge 5/2018)`;
    case 'it-0843-selling':
      return `prefisso AGCOM dei sondaggi statistici 0843 usato per vendere: segnato "${categoryText('it', f.category)}" dall’ufficio (lo 0843 è riservato ai sondaggi statistici)`;
  }
}

/** The breach as the page's language says it. */
export function breachText(lang: Lang, b: Breach): string {
  return lang === 'it' ? italian(b) : b.text;
}
