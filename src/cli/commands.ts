/** The CLI's commands, each a function of its arguments and the global options; main.ts wires them to commander. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { normalizeNumber } from '../callerid/index.js';
import { UNKNOWN_CALLER, type CallerIdentity } from '../callerid/types.js';
import { LiveSettings } from '../settings/index.js';
import { exportRegister, writeNuisanceList } from '../sharing/export.js';
import { loadFriendIndex } from '../sharing/feeds/index.js';
import { ImportRejectedError, importRecords, type ImportReport } from '../sharing/import.js';
import { isImportFormat, openSource, IMPORT_FORMATS } from '../sharing/sources.js';
import { SourceError } from '../sharing/text-input.js';
import { screeningRules } from '../config/derive.js';
import { openPanelStore, openRegister, prefixIndexOptions } from '../store/index.js';
import { AggregatesRebuild, aggregatesNeedRebuild } from '../store/reports/aggregates.js';
import { openRebuildConnection } from '../store/reports/panel-store.js';
import type { StoreLogger } from '../store/logger.js';
import { Connection } from '../store/sqlite/connection.js';
import { knownSchemaVersion } from '../store/sqlite/migrations.js';
import { categoryKey } from '../screening/categories.js';
import { contextOfCaller, onlyTexts, TEXTS_ONLY_ATTEMPTS } from '../screening/classify.js';
import { cliConfig, ensureSchema, type GlobalOptions } from './context.js';
import {
  CliError,
  EXIT,
  counted,
  fieldsText,
  intoFile,
  kindCounts,
  print,
  progressBar,
  stopOnSignals,
} from './output.js';

/**
 * The register key of a caller typed on the command line: a phone number (its E.164), a short code (`48018`), or a
 * `raw:` key as the panel's and the API's URLs name a caller ID that is no number (a text message's sender ID:
 * `raw:PROMO-ENERGIA`). A sender ID typed bare is refused with its `raw:` name: a letter typed into a number must not
 * name a caller nobody has.
 */
function callerKeyOf(text: string, country: string): { key: string; identity: CallerIdentity } {
  const asRaw = text.startsWith('raw:');
  const n = normalizeNumber(asRaw ? text.slice(4) : text, country);
  // A number typed on the command line: what an identity from a plain From would say, nothing more.
  if (!asRaw && n.e164 !== null) return { key: n.e164, identity: { ...UNKNOWN_CALLER, number: n } };
  if (n.raw === '' || (!asRaw && !n.flags.includes('short-code'))) {
    const hint = n.flags.includes('alphanumeric') ? `; a text message's sender ID is named raw:${n.raw}` : '';
    throw new CliError(`not a phone number: ${JSON.stringify(text)} (${n.flags.join(', ')})${hint}`, EXIT.usage);
  }
  // The register keeps a caller ID that is no number under `raw:` and its text (callerKey).
  const number =
    n.e164 === null ? n : { ...n, e164: null, type: null, valid: false, country: null, flags: ['unparsable'] };
  return { key: `raw:${n.raw}`, identity: { ...UNKNOWN_CALLER, number } };
}

export async function lookup(number: string, g: GlobalOptions): Promise<void> {
  const config = cliConfig(g);
  const { key: typed, identity } = callerKeyOf(number, config.defaultCountry);
  await ensureSchema(config.store.file, g.json === true);
  const register = await openRegister({
    file: config.store.file,
    lookbackDays: config.store.lookbackDays,
    blockDropDigits: config.screening.learning.blocks.dropDigits,
    prefixes: prefixIndexOptions(screeningRules(config).learning, config.screening.thresholds),
  });
  const key = await register.keptSpelling(typed).catch(async (err: unknown) => {
    await register.close();
    throw err;
  });
  // Settings only: no aggregates shown, so none rebuilt here (minutes on a large register after an upgrade).
  const panel = await openPanelStore({ file: config.store.file, timeZone: config.timeZone, rebuild: 'never' });
  try {
    const live = await LiveSettings.load(config, panel.settings, () => undefined);
    const now = Date.now();
    const db = await Connection.open(config.store.file, { readOnly: true });
    const friends = await loadFriendIndex(db, config.feeds.consensus).finally(() => db.close());
    const evidence = friends.withFriends(key, register.evidenceFor(key));
    const recent = await register.attempts({ callerKey: key, limit: TEXTS_ONLY_ATTEMPTS });
    const textsOnly = onlyTexts(recent);
    const decision = live.classify(identity, evidence, now, contextOfCaller(identity, textsOnly));
    const summary = await register.numberSummary(key);
    const result = {
      number: key,
      type: identity.number?.type ?? null,
      verdict: decision.verdict,
      score: Math.round(decision.score * 100) / 100,
      reasons: decision.reasons.map((r) => r.text),
      mark: summary.mark,
      attempts: summary.attempts,
    };
    print(g.json === true, result, () =>
      [
        `${key}: ${result.verdict} (score ${result.score.toFixed(2)})`,
        ...result.reasons.map((r) => `  - ${r}`),
        `  attempts in the register: ${result.attempts}`,
      ].join('\n'),
    );
  } finally {
    await panel.close();
    await register.close();
  }
}

export async function mark(
  number: string,
  label: string,
  o: { company?: string; category?: string },
  g: GlobalOptions,
): Promise<void> {
  if (label !== 'nuisance' && label !== 'trusted' && label !== 'none')
    throw new CliError(`label: expected nuisance, trusted or none, got ${JSON.stringify(label)}`, EXIT.usage);
  const config = cliConfig(g);
  const { key: typed } = callerKeyOf(number, config.defaultCountry);
  await ensureSchema(config.store.file, g.json === true);
  const register = await openRegister({ file: config.store.file, lookbackDays: config.store.lookbackDays });
  let key = typed;
  try {
    key = await register.keptSpelling(typed);
    await register.mark(key, {
      label,
      company: o.company?.trim() || null,
      category: o.category?.trim() ? categoryKey(o.category) : null,
      at: Date.now(),
      by: 'cli',
    });
  } finally {
    await register.close();
  }
  print(
    g.json === true,
    { number: key, label },
    () => `${key} marked ${label} (the running service sees it at its next start, or mark it through the API)`,
  );
}

/**
 * `crocetta let-through <number> [--withdraw]`: its next call is let through once, whatever its mark (said "text" for
 * a caller that only texted, as its page says: a text uses it up as a call does).
 */
export async function letThrough(number: string, o: { withdraw?: boolean }, g: GlobalOptions): Promise<void> {
  const config = cliConfig(g);
  const { key: typed } = callerKeyOf(number, config.defaultCountry);
  await ensureSchema(config.store.file, g.json === true);
  const register = await openRegister({ file: config.store.file, lookbackDays: config.store.lookbackDays });
  const at = o.withdraw === true ? null : Date.now();
  let key = typed;
  let next = 'call';
  try {
    key = await register.keptSpelling(typed);
    await register.letThrough(key, at, 'cli');
    if (onlyTexts(await register.attempts({ callerKey: key, limit: TEXTS_ONLY_ATTEMPTS }))) next = 'text';
  } finally {
    await register.close();
  }
  print(g.json === true, { number: key, letThrough: at === null ? null : { since: new Date(at).toISOString() } }, () =>
    at === null
      ? `${key}: "let the next ${next} through" withdrawn (the running service sees it at its next start, or use the API)`
      : `${key}: its next ${next} will be let through, once (the running service sees it at its next start, or use the API)`,
  );
}

export interface ImportCliOptions {
  lenient?: boolean;
  as?: string;
  category?: string;
}

function reportText(r: ImportReport): string {
  const lines = [
    `read ${counted(r.lines, 'line', 'lines')} in ${(r.ms / 1000).toFixed(1)} s: written ${kindCounts({ ...r.written })}; unchanged ${kindCounts({ ...r.unchanged })}`,
  ];
  if (r.keptTrusted > 0)
    lines.push(
      `  kept ${counted(r.keptTrusted, 'local trusted mark', 'local trusted marks')} (an import never turns a trusted number into nuisance)`,
    );
  if (r.keptNewerLocal > 0)
    lines.push(
      `  kept ${counted(r.keptNewerLocal, 'local mark newer than the imported one', 'local marks newer than the imported ones')}`,
    );
  for (const [reason, n] of Object.entries(r.dropped)) lines.push(`  left out ${counted(n, 'row', 'rows')}: ${reason}`);
  if (r.skippedCount > 0) {
    lines.push(`  skipped ${counted(r.skippedCount, 'bad row', 'bad rows')}:`);
    for (const s of r.skipped.slice(0, 20)) lines.push(`    line ${s.line}: ${s.reason}`);
  }
  return lines.join('\n');
}

/**
 * The bytes of `file`, counted as they go. Opened and read only once the reader asks for them, so that the file's own
 * read error (a directory, no permission, an I/O error mid-read) reaches the reader, which fails with a SourceError:
 * the stream piped onward at once failed before the reader listened, and nothing listened (the CLI crashed).
 */
async function* fileBytes(file: string, counted: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    counted(bytes);
    yield chunk;
  }
}

export async function importFile(format: string, file: string, o: ImportCliOptions, g: GlobalOptions): Promise<void> {
  if (!isImportFormat(format))
    throw new CliError(
      `format: expected one of ${IMPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
      EXIT.usage,
    );
  if (o.as !== undefined && o.as !== 'trusted' && o.as !== 'nuisance')
    throw new CliError('--as: expected trusted or nuisance', EXIT.usage);
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`, EXIT.noInput);
  const config = cliConfig(g);
  await ensureSchema(config.store.file, g.json === true);
  const size = statSync(file).size;
  const bar = progressBar(`importing ${format}`, size);
  const now = Date.now();
  const input = Readable.from(
    fileBytes(file, (bytes) => bar.update(bytes)),
    { objectMode: false },
  );
  const source = openSource(format, input, {
    country: config.defaultCountry,
    timeZone: config.timeZone,
    now,
    ...(o.as !== undefined && { as: o.as }),
    ...(o.category?.trim() ? { category: categoryKey(o.category) } : {}),
  });
  let report: ImportReport;
  try {
    report = await importRecords(config.store.file, source.items, {
      now,
      ...(o.lenient && { lenient: true }),
      ...(source.historyBy !== undefined && { historyBy: source.historyBy }),
      markSource: source.markSource,
    });
  } catch (err) {
    // Nothing was imported (all or nothing): the bar goes, the error takes its line.
    bar.clear();
    if (err instanceof ImportRejectedError) {
      throw new CliError(`${err.message}\nnothing was imported (use --lenient to skip bad rows)`, EXIT.dataError, {
        line: err.line,
        reason: err.reason,
      });
    }
    if (err instanceof SourceError) {
      // The records are staged apart and merged only once the whole file has been read: the register is as it was.
      const reason = err.cause instanceof Error ? err.cause.message : err.message;
      throw new CliError(`cannot read ${file}: ${reason}\nnothing was imported`, EXIT.noInput, { reason });
    }
    throw err;
  }
  bar.end();
  print(g.json === true, report, () => reportText(report));
}

export async function exportFile(
  o: { format?: string; output?: string; only?: string },
  g: GlobalOptions,
): Promise<void> {
  const format = o.format ?? 'json';
  if (format !== 'json' && format !== 'csv' && format !== 'fritzbox' && format !== 'kamailio-htable') {
    throw new CliError('--format: expected json, csv, fritzbox or kamailio-htable', EXIT.usage);
  }
  const config = cliConfig(g);
  if (!existsSync(config.store.file)) throw new CliError(`no register at ${config.store.file}`, EXIT.noInput);
  const only = format === 'json' || format === 'csv' ? o.only?.split(',').map((s) => s.trim()) : undefined;
  const bad = only?.filter((k) => !['mark', 'history', 'attempt', 'called'].includes(k)) ?? [];
  if (bad.length > 0)
    throw new CliError(`--only: unknown ${bad.join(', ')} (mark, history, attempt, called)`, EXIT.usage);
  // An export reads the register as it is, unmigrated; one a newer crocetta wrote is refused in every other command's
  // words (SchemaTooNewError), before any output: the FRITZ!Box and Kamailio writers print their header first, and
  // --output would replace the file.
  const db = await Connection.open(config.store.file, { readOnly: true });
  try {
    db.setBusyTimeout(5000);
    await knownSchemaVersion(db, config.store.file);
  } finally {
    await db.close();
  }
  const write = async (out: Writable): Promise<Record<string, number>> => {
    if (format === 'fritzbox' || format === 'kamailio-htable')
      return { mark: await writeNuisanceList(format, config.store.file, out) };
    return exportRegister(config.store.file, out, {
      format,
      now: Date.now(),
      ...(only && { include: only as Array<'mark' | 'history' | 'attempt' | 'called'> }),
    });
  };
  if (!o.output) {
    // Standard output's own errors are main.ts's (a reader gone, a full disk).
    await write(process.stdout);
    return;
  }
  const counts = await intoFile(o.output, write);
  print(
    g.json === true,
    { file: o.output, format, counts },
    () => `exported to ${o.output}: ${kindCounts(counts, 'nothing (the register has no such rows)')}`,
  );
}

export async function backup(target: string, g: GlobalOptions): Promise<void> {
  const config = cliConfig(g);
  if (!existsSync(config.store.file)) throw new CliError(`no register at ${config.store.file}`, EXIT.noInput);
  if (existsSync(target)) throw new CliError(`${target} exists: choose a new file name`, EXIT.usage);
  const started = Date.now();
  const db = await Connection.open(config.store.file, { readOnly: true });
  try {
    db.setBusyTimeout(5000);
    await db.backupTo(target);
  } finally {
    await db.close();
  }
  // The copy is one self-contained file (no -wal/-shm beside it), then checked page by page.
  const copy = await Connection.open(target);
  let check: string;
  try {
    await copy.get('PRAGMA journal_mode = DELETE');
    check = (await copy.get<{ integrity_check: string }>('PRAGMA integrity_check'))?.integrity_check ?? 'no answer';
  } finally {
    await copy.close();
  }
  if (check !== 'ok')
    throw new CliError(`backup written to ${target} but its integrity check says: ${check}`, EXIT.failure);
  const result = { file: target, bytes: statSync(target).size, ms: Date.now() - started, integrity: check };
  print(
    g.json === true,
    result,
    () =>
      `backup of ${config.store.file} written to ${target} (${counted(result.bytes, 'byte', 'bytes')}, ${result.ms} ms, integrity ok)`,
  );
}

/** The rebuild's log lines as the command's progress on stderr: "emptying…", "rebuild started", every 5 s how far. */
function progressLines(json: boolean): StoreLogger {
  const line = (obj: object, msg: string) => {
    if (json) return;
    const fields = fieldsText(obj);
    process.stderr.write(`${msg.replace(/^register aggregates:? /, '')}${fields ? ` (${fields})` : ''}\n`);
  };
  return { info: line, warn: line, error: line };
}

/**
 * Rebuilds the dashboard's aggregates now, in the configured time zone (after an upgrade or a change of
 * `timeZone`), as the service does in the background: progress on stderr, Ctrl-C stops between two chunks and the
 * next run (or the service's next start) goes on from there. Safe beside a running crocetta (the service's own
 * rebuild and this one take turns, each attempt counted once).
 */
export async function rebuildAggregates(g: GlobalOptions): Promise<void> {
  const config = cliConfig(g);
  if (!existsSync(config.store.file)) throw new CliError(`no register at ${config.store.file}`, EXIT.noInput);
  await ensureSchema(config.store.file, g.json === true);
  const json = g.json === true;
  const db = await openRebuildConnection(config.store.file);
  try {
    const timeZone = config.timeZone;
    if (!(await aggregatesNeedRebuild(db, timeZone))) {
      print(
        json,
        { rebuilt: false, timeZone },
        () => `the aggregates already count days in ${timeZone}: nothing to do`,
      );
      return;
    }
    const rebuild = new AggregatesRebuild(db, timeZone, progressLines(json), {
      pauseMs: config.store.aggregatesRebuildPauseMs,
      progressLogMs: 5000,
    });
    // The exit code says which signal stopped it first (130 Ctrl-C, 143 SIGTERM), as export's and dossier's do: a
    // service manager's SIGTERM used to be reported as a Ctrl-C, and then a SIGTERM after a Ctrl-C as a SIGTERM.
    const signals = stopOnSignals(() => rebuild.stop());
    let finished: boolean;
    try {
      finished = await rebuild.run();
    } finally {
      signals.off();
    }
    const stoppedWith = signals.code() ?? EXIT.interrupted;
    const status = rebuild.status();
    if (!finished && status.state === 'rebuilding')
      throw new CliError(
        `stopped: ${status.done} of ${status.total} attempts counted; run it again, or start crocetta, to go on from there`,
        stoppedWith,
        { done: status.done, total: status.total },
      );
    const result = { rebuilt: true, timeZone, ms: Math.round(rebuild.stats.ms), chunks: rebuild.stats.chunks };
    print(json, result, () => `aggregates rebuilt in ${timeZone} (${(result.ms / 1000).toFixed(1)} s)`);
  } finally {
    await db.close();
  }
}
