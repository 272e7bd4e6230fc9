/**
 * The import page: a file upload (any format src/sharing reads) and the report of the import, with a
 * <progress> that panel.js updates from `GET /api/import/jobs/:id` while it runs. Without JavaScript the form
 * posts normally and the answer is this page with the final report.
 */
import type { Lang } from '../i18n.js';
import { html, type SafeHtml } from '../html.js';
import type { JobStatus } from '../import-jobs.js';
import { importPageErrorText } from '../import-error-text.js';
import { SUGGESTED_CATEGORIES, categoryText } from '../category-text.js';
import { csrfField, page, type PageContext } from './layout.js';

const TEXTS = {
  en: {
    title: 'Import a list',
    link: 'Import a list of numbers (FRITZ!Box, vCard, FTC, plain list, CDR, crocetta export)',
    intro:
      'Numbers from a file join your register at once: the next call from them is handled accordingly. A number you marked trusted is never turned into nuisance. Importing the same file twice changes nothing.',
    file: 'File',
    format: 'Format',
    formatAuto: 'Recognise it from the file (FRITZ!Box, vCard, FTC, crocetta export)',
    as: 'The numbers are',
    asDefault: 'as the format says (contacts trusted, lists nuisance)',
    asNuisance: 'nuisance',
    asTrusted: 'trusted',
    category: 'Category (optional)',
    lenient: 'Skip bad rows and list them (otherwise the first bad row refuses the whole file)',
    submit: 'Import',
    maxSize: 'At most {size}.',
    running: 'Importing…',
    done: 'Import finished',
    empty: 'The file had no phone numbers: nothing was imported',
    emptyHint:
      'Check that it is the file you meant to choose, and its format. A plain list has one number a line, e.g. 02 1234 5678 or +39 333 123 4567; empty lines and lines starting with # are ignored.',
    refused: 'File refused: nothing was imported',
    failed: 'The import failed: nothing more was imported',
    rowsRead: 'Rows read',
    numbersRead: 'Numbers read',
    imported: 'Imported',
    unchanged: 'Already known',
    skipped: 'Skipped',
    keptTrusted: 'Kept as they are here',
    line: 'line {n}',
    errors: 'Errors',
    noFile: 'Choose a file to import.',
    unknownJob: 'This import is no longer known (the service restarted, or it is too old).',
  },
  it: {
    title: 'Importa un elenco',
    link: 'Importa un elenco di numeri (FRITZ!Box, vCard, FTC, elenco semplice, CDR, export di crocetta)',
    intro:
      'I numeri di un file entrano subito nel registro: la prossima chiamata da loro è trattata di conseguenza. Un numero che hai segnato come fidato non diventa mai molesto. Importare due volte lo stesso file non cambia nulla.',
    file: 'File',
    format: 'Formato',
    formatAuto: 'Riconoscilo dal file (FRITZ!Box, vCard, FTC, export di crocetta)',
    as: 'I numeri sono',
    asDefault: 'come dice il formato (contatti fidati, elenchi molesti)',
    asNuisance: 'molesti',
    asTrusted: 'fidati',
    category: 'Categoria (facoltativa)',
    lenient: 'Salta le righe errate ed elencale (altrimenti la prima riga errata rifiuta tutto il file)',
    submit: 'Importa',
    maxSize: 'Al massimo {size}.',
    running: 'Importazione in corso…',
    done: 'Importazione terminata',
    empty: 'Il file non conteneva nessun numero di telefono: non è stato importato nulla',
    emptyHint:
      'Controlla che sia il file che volevi scegliere, e il suo formato. Un elenco semplice ha un numero per riga, per esempio 02 1234 5678 oppure +39 333 123 4567; le righe vuote e quelle che iniziano con # sono ignorate.',
    refused: 'File rifiutato: non è stato importato nulla',
    failed: 'L’importazione non è riuscita: non è stato importato altro',
    rowsRead: 'Righe lette',
    numbersRead: 'Numeri letti',
    imported: 'Importati',
    unchanged: 'Già noti',
    skipped: 'Saltate',
    keptTrusted: 'Lasciati come sono qui',
    line: 'riga {n}',
    errors: 'Errori',
    noFile: 'Scegli un file da importare.',
    unknownJob: 'Questa importazione non è più nota (il servizio è ripartito, o è troppo vecchia).',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type ImportTexts = (typeof TEXTS)[Lang];

export function importTexts(lang: Lang): ImportTexts {
  return TEXTS[lang];
}

/** The formats as the page's language names them (the value is the API's `format`). */
const FORMAT_NAMES: Record<Lang, ReadonlyArray<[string, string]>> = {
  en: [
    ['fritzbox', 'FRITZ!Box phonebook (XML)'],
    ['vcard', 'vCard contacts (.vcf)'],
    ['list', 'Plain list, one number a line (.txt)'],
    ['ftc', 'FTC Do Not Call complaints (CSV)'],
    ['asterisk-cdr', 'Asterisk call records, CDR (CSV)'],
    ['json', 'crocetta export (JSON Lines)'],
    ['csv', 'crocetta export (CSV)'],
  ],
  it: [
    ['fritzbox', 'Rubrica FRITZ!Box (XML)'],
    ['vcard', 'Contatti vCard (.vcf)'],
    ['list', 'Elenco semplice, un numero per riga (.txt)'],
    ['ftc', 'Reclami FTC Do Not Call (CSV)'],
    ['asterisk-cdr', 'Registro chiamate di Asterisk, CDR (CSV)'],
    ['json', 'Export di crocetta (JSON Lines)'],
    ['csv', 'Export di crocetta (CSV)'],
  ],
};

/** A finished import that found no number at all in the file (no row read, none skipped, no error). */
export function importFoundNothing(job: JobStatus): boolean {
  return job.state === 'done' && job.recordsRead === 0 && job.skipped === 0 && job.errors.length === 0;
}

export interface ImportPageData {
  maxBytes: number;
  /** The job to report on (the one just posted, or `?job=`). */
  job: JobStatus | null;
  /** An error about the form itself (no file chosen...). */
  message: string | null;
  unknownJob?: boolean;
}

/**
 * A size as people read it, in the units their file manager shows (Windows' Explorer counts a "MB" as 1,048,576
 * bytes): `512 MB`, `2 GB`, `64 KB`; the page said `512 MiB`, which office staff do not write.
 */
function size(bytes: number): string {
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GB`;
  return bytes >= 1 << 20 ? `${Math.round(bytes / (1 << 20))} MB` : `${Math.round(bytes / 1024)} KB`;
}

function fraction(job: JobStatus): number {
  if (job.state !== 'running') return 1;
  if (job.phase === 'apply') return 0.5 + 0.5 * (job.recordsRead === 0 ? 1 : job.applied / job.recordsRead);
  return job.bytesTotal ? 0.5 * Math.min(1, job.bytesRead / job.bytesTotal) : 0;
}

/**
 * Phonebooks (a FRITZ!Box's XML, vCards) say how many numbers were read, not the file's lines: a 2-contact FRITZ!Box
 * phonebook read "Righe lette 21", its XML's lines.
 */
const PHONEBOOKS: ReadonlySet<string> = new Set(['fritzbox', 'vcard']);

/** The job's report: the <progress>, the counts (data-field spans that panel.js updates), the errors. */
export function jobReport(lang: Lang, job: JobStatus): SafeHtml {
  const t = TEXTS[lang];
  const field = (
    name: 'rowsRead' | 'recordsRead' | 'imported' | 'unchanged' | 'skipped' | 'keptTrusted',
    label: string,
  ) =>
    html`<div class="card"><div class="n" data-field="${name}">${job[name]}</div><div class="l">${label}</div></div>`;
  const empty = importFoundNothing(job);
  const title =
    job.state === 'running'
      ? t.running
      : empty
        ? t.empty
        : job.state === 'done'
          ? t.done
          : job.state === 'refused'
            ? t.refused
            : t.failed;
  return html`<section id="import-status" class="panel${empty ? ' notice error' : ''}" data-job="${job.id}" data-state="${job.state}"${empty ? html` data-empty` : ''} aria-live="polite">
<h2 data-state-title>${title}${job.fileName ? html` · <span class="mono">${job.fileName}</span>` : ''}</h2>
${empty ? html`<p id="import-empty">${t.emptyHint}</p>` : ''}
${
  (job.state === 'running' || job.state === 'done') && !empty
    ? html`<progress id="import-progress" max="1" value="${fraction(job).toFixed(3)}">${Math.round(fraction(job) * 100)}%</progress>`
    : ''
}
<div class="cards">${PHONEBOOKS.has(job.format ?? job.askedFormat ?? '') ? field('recordsRead', t.numbersRead) : field('rowsRead', t.rowsRead)}${field('imported', t.imported)}${field('unchanged', t.unchanged)}${field('skipped', t.skipped)}${job.keptTrusted > 0 ? field('keptTrusted', t.keptTrusted) : ''}</div>
<div id="import-errors"${job.errors.length === 0 ? html` hidden` : ''}>
<h2>${t.errors}</h2>
<ul class="notice error">${job.errors.map((e) => html`<li>${e.line === null ? '' : html`<strong>${t.line.replace('{n}', String(e.line))}</strong>: `}${importPageErrorText(lang, e.reason)}</li>`)}</ul>
</div>
</section>`;
}

export function importPage(ctx: PageContext, d: ImportPageData): SafeHtml {
  const t = TEXTS[ctx.loc.lang];
  // After an import (refused, failed or done), the form offers the same choices again: only the file is chosen anew.
  const form = {
    format: d.job?.askedFormat ?? null,
    as: d.job?.as ?? null,
    category: d.job?.category ?? null,
    lenient: d.job?.lenient ?? false,
  };
  return page(
    ctx,
    t.title,
    html`${d.message ? html`<p class="notice error" role="alert">${d.message}</p>` : ''}
${d.unknownJob ? html`<p class="notice error">${t.unknownJob}</p>` : ''}
${d.job ? jobReport(ctx.loc.lang, d.job) : ''}
<section class="panel">
<p class="muted small">${t.intro}</p>
<form method="post" action="/import" enctype="multipart/form-data" data-import class="import-form">
  ${csrfField(ctx)}
  <label>${t.format}<select name="format"><option value="">${t.formatAuto}</option>${FORMAT_NAMES[ctx.loc.lang].map(([v, name]) => html`<option value="${v}"${v === form.format ? html` selected` : ''}>${name}</option>`)}</select></label>
  <label>${t.as}<select name="as">${(
    [
      ['', t.asDefault],
      ['nuisance', t.asNuisance],
      ['trusted', t.asTrusted],
    ] as const
  ).map(
    ([v, name]) => html`<option value="${v}"${v === (form.as ?? '') ? html` selected` : ''}>${name}</option>`,
  )}</select></label>
  <label>${t.category}<input name="category" maxlength="60" list="import-categories" value="${form.category === null ? '' : categoryText(ctx.loc.lang, form.category)}"></label>
  <datalist id="import-categories">${SUGGESTED_CATEGORIES.map((c) => html`<option value="${categoryText(ctx.loc.lang, c)}">`)}</datalist>
  <label class="inline"><input type="checkbox" name="lenient" value="1"${form.lenient ? html` checked` : ''}> ${t.lenient}</label>
  <label>${t.file}<input type="file" name="file" required></label>
  <p class="muted small">${t.maxSize.replace('{size}', size(d.maxBytes))}</p>
  <button type="submit" class="primary">${t.submit}</button>
  <progress id="import-upload" max="1" value="0" hidden></progress>
  <p id="import-form-error" class="notice error" role="alert" hidden></p>
</form>
</section>`,
  );
}
