/**
 * `crocetta dossier --company NAME | --number N [--since D] [--until D] [--format html|csv|json] [--out FILE]`:
 * the evidence dossier from the register file, with the service's configured rules. `--out` as export's `--output`:
 * a path that cannot be written exits 73, a failed write 74.
 */
import { normalizeNumber } from '../callerid/index.js';
import {
  PeriodError,
  buildDossier,
  dossierCsv,
  dossierJson,
  dossierRules,
  parsePeriod,
  type DossierSubject,
} from '../dossier/index.js';
import { dossierDocument } from '../panel/pages/dossier.js';
import { cliConfig, ensureSchema, type GlobalOptions } from './context.js';
import { CliError, EXIT, counted, intoFile } from './output.js';

export interface DossierCliOptions {
  number?: string;
  company?: string;
  since?: string;
  until?: string;
  format?: string;
  out?: string;
  lang?: string;
}

export async function dossier(o: DossierCliOptions, g: GlobalOptions): Promise<void> {
  const format = o.format ?? (g.json ? 'json' : 'html');
  if (format !== 'html' && format !== 'csv' && format !== 'json')
    throw new CliError(`--format: expected html, csv or json, got ${JSON.stringify(format)}`, EXIT.usage);
  const lang = o.lang ?? 'it';
  if (lang !== 'it' && lang !== 'en')
    throw new CliError(`--lang: expected it or en, got ${JSON.stringify(lang)}`, EXIT.usage);
  if ((o.number === undefined) === (o.company === undefined))
    throw new CliError('give one of --number or --company', EXIT.usage);
  const config = cliConfig(g);
  let subject: DossierSubject;
  if (o.company !== undefined) {
    if (o.company.trim() === '') throw new CliError('--company: a name is required', EXIT.usage);
    subject = { kind: 'company', company: o.company.trim() };
  } else {
    const text = (o.number ?? '').trim();
    const key = text.startsWith('raw:') ? text : normalizeNumber(text, config.defaultCountry).e164;
    if (!key) throw new CliError(`not a phone number: ${JSON.stringify(text)}`, EXIT.usage);
    subject = { kind: 'number', callerKey: key };
  }
  let period: { since?: number; until?: number };
  try {
    period = parsePeriod(o.since, o.until, config.timeZone);
  } catch (err) {
    if (err instanceof PeriodError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  const render = async () => {
    await ensureSchema(config.store.file, g.json === true);
    const d = await buildDossier(
      config.store.file,
      { subject, ...period },
      { rules: dossierRules(config), timeZone: config.timeZone, now: Date.now() },
    );
    const body =
      format === 'json'
        ? `${JSON.stringify(dossierJson(d), null, 2)}\n`
        : format === 'csv'
          ? dossierCsv(d)
          : dossierDocument(lang, d, config.defaultCountry).toString();
    return { d, body };
  };
  if (o.out === undefined) {
    process.stdout.write((await render()).body);
    return;
  }
  // As export's --output: a path that cannot be written is said before the register is read (exit 73), a write
  // that fails exits 74.
  const { d } = await intoFile(o.out, async (out) => {
    const rendered = await render();
    out.write(rendered.body);
    return rendered;
  });
  process.stderr.write(
    `${o.out}: ${counted(d.breaches.length, 'breach', 'breaches')} in ${counted(d.attempts, 'call', 'calls')}\n`,
  );
}
