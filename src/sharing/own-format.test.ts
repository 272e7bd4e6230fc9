import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegister } from '../store/register/register.js';
import { newAttempt } from '../store/test-fixtures.js';
import { tempDir, type TempDir } from '../store/test-tmp.js';
import { readCsv, readJsonLines, type OwnFormat } from './crocetta-format.js';
import { exportRegister } from './export.js';
import { ImportRejectedError, importRecords } from './import.js';
import { CSV_COLUMNS } from './records.js';

const T0 = Date.parse('2026-11-03T09:15:00.123Z');
let dir: TempDir;

beforeEach(() => {
  dir = tempDir('crocetta-sharing-');
});
afterEach(() => dir.remove());

async function emptyRegister(name: string): Promise<string> {
  const file = dir.file(name);
  const reg = await openRegister({ file, lookbackDays: 30 });
  await reg.close();
  return file;
}

async function seeded(name: string): Promise<string> {
  const file = dir.file(name);
  const reg = await openRegister({ file, lookbackDays: 30, clock: { now: () => T0 } });
  await reg.record(
    newAttempt('+390212345678', T0, {
      callerName: "=cmd|' /C calc'!A0",
      callId: 'a1@x',
      action: 'reject:607',
      verdict: 'nuisance',
      score: 0.93,
      reasons: [{ code: 'marked-nuisance', text: 'marked nuisance by you, "Example", energy', weight: 0.9 }],
    }),
  );
  const checked = await reg.record(
    newAttempt(null, T0 + 1000, { callId: 'a2@x', callerSource: 'from', action: 'check' }),
  );
  reg.updateOutcome(checked, {
    outcome: 'answered',
    finalStatus: 200,
    refused: false,
    at: T0 + 4000,
    check: 'passed',
    checkMs: 2100,
  });
  await reg.record(
    newAttempt('raw:ABC,DEF', T0 + 2000, { callId: 'a3@x', callerName: "'quoted", userAgent: '@sip-ua\r\nline2' }),
  );
  await reg.mark('+390212345678', {
    label: 'nuisance',
    company: 'Example Energia, S.p.A.',
    category: 'energy',
    at: T0 + 5000,
    by: 'api',
  });
  await reg.mark('+33612345678', { label: 'trusted', company: null, category: null, at: T0 + 6000, by: 'panel' });
  await reg.mark('+390299999999', { label: 'nuisance', company: '-2+3', category: null, at: T0 + 7000, by: 'panel' });
  await reg.mark('+390299999999', { label: 'none', company: null, category: null, at: T0 + 8000, by: 'panel' });
  await reg.close();
  return file;
}

async function exportText(file: string, format: OwnFormat): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportRegister(file, out, { format, now: T0 });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

function reader(format: OwnFormat, text: string | Buffer) {
  const input = Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);
  return format === 'json' ? readJsonLines(input) : readCsv(input);
}

describe.each(['json', 'csv'] as const)('crocetta format (%s)', (format) => {
  it('round-trips exactly: export, import into an empty register, export again', async () => {
    const first = await exportText(await seeded('a.sqlite'), format);
    const target = await emptyRegister('b.sqlite');
    const report = await importRecords(target, reader(format, first), { now: T0 });
    expect(report.written).toEqual({ mark: 2, history: 4, attempt: 3, called: 0 });
    expect(await exportText(target, format)).toBe(first);
  });

  it('is idempotent: importing the same file twice changes nothing the second time', async () => {
    const text = await exportText(await seeded('a.sqlite'), format);
    const target = await emptyRegister('b.sqlite');
    await importRecords(target, reader(format, text), { now: T0 });
    const again = await importRecords(target, reader(format, text), { now: T0 });
    expect(again.written).toEqual({ mark: 0, history: 0, attempt: 0, called: 0 });
    expect(again.unchanged).toEqual({ mark: 2, history: 4, attempt: 3, called: 0 });
    expect(await exportText(target, format)).toBe(text);
  });

  it('rejects the whole file at the first bad row, with its line and reason; --lenient skips and reports it', async () => {
    const text = await exportText(await seeded('a.sqlite'), format);
    const lines = text.split(format === 'json' ? '\n' : '\r\n');
    const badLine = format === 'json' ? 3 : 4;
    lines[badLine - 1] =
      format === 'json'
        ? '{"type":"mark","number":"+39021","label":"spam","marked_at":"2026-11-03T09:15:00.000Z"}'
        : 'mark,not-a-number,nuisance' + ','.repeat(CSV_COLUMNS.length - 3);
    const bad = lines.join(format === 'json' ? '\n' : '\r\n');
    const target = await emptyRegister('b.sqlite');
    const err = await importRecords(target, reader(format, bad), { now: T0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRejectedError);
    expect((err as ImportRejectedError).line).toBe(badLine);
    expect((err as Error).message).toMatch(
      format === 'json' ? /label: expected one of nuisance, trusted/ : /marked_at: required/,
    );
    expect(await exportText(target, format)).toBe(await exportText(await emptyRegister('c.sqlite'), format));

    const lenient = await importRecords(target, reader(format, bad), { now: T0, lenient: true });
    expect(lenient.skippedCount).toBe(1);
    expect(lenient.skipped[0]?.line).toBe(badLine);
    expect(lenient.written.mark + lenient.written.history + lenient.written.attempt).toBeGreaterThan(0);
  });

  it('refuses a truncated file and one in another encoding', async () => {
    const text = await exportText(await seeded('a.sqlite'), format);
    const target = await emptyRegister('b.sqlite');
    const truncated = text.slice(0, text.length - 40);
    await expect(importRecords(target, reader(format, truncated), { now: T0 })).rejects.toThrow(/line \d+/);
    const latin1 = Buffer.from(text.replace('Example Energia', 'Énergie Exemple'), 'latin1');
    await expect(importRecords(target, reader(format, latin1), { now: T0 })).rejects.toThrow(/not UTF-8/);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    await expect(importRecords(target, reader(format, utf16), { now: T0 })).rejects.toThrow(/UTF-16/);
  });
});

describe('format versions', () => {
  it('writes version 2 with the check result and its duration on attempts', async () => {
    const json = await exportText(await seeded('a.sqlite'), 'json');
    expect(JSON.parse(json.split('\n')[0] ?? '')).toMatchObject({ format: 'crocetta-register', version: 2 });
    const attempts = json
      .split('\n')
      .filter((l) => l.includes('"type":"attempt"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(attempts.map((a) => [a['call_id'], a['check'], a['check_ms']])).toEqual([
      ['a1@x', null, null],
      ['a2@x', 'passed', 2100],
      ['a3@x', null, null],
    ]);
    const csv = await exportText(await seeded('c.sqlite'), 'csv');
    expect(csv.split('\r\n')[0]).toBe('crocetta-register,2');
    expect(csv.split('\r\n')[1]).toContain(',played_ms,hung_up_by,check,check_ms,');
  });

  it('still imports a version 1 file (written before the check): its attempts have no check', async () => {
    const v2 = await exportText(await seeded('a.sqlite'), 'json');
    const v1 = v2
      .split('\n')
      .map((line, i) => {
        if (line === '') return line;
        const record = JSON.parse(line) as Record<string, unknown>;
        if (i === 0) return JSON.stringify({ ...record, version: 1 });
        delete record['check'];
        delete record['check_ms'];
        return JSON.stringify(record);
      })
      .join('\n');
    const target = await emptyRegister('b.sqlite');
    const report = await importRecords(target, reader('json', v1), { now: T0 });
    expect(report.written.attempt).toBe(3);
    const again = await exportText(target, 'json');
    expect(again).toContain('"check":null,"check_ms":null');
    expect(again).not.toContain('"check":"passed"');

    const v1Columns = CSV_COLUMNS.filter((c) => c !== 'check' && c !== 'check_ms');
    const csv = [
      'crocetta-register,1',
      v1Columns.join(','),
      ['mark', '+390211111111', 'nuisance', '2026-11-03T09:15:00.000Z', ...v1Columns.slice(4).map(() => '')].join(','),
      '',
    ].join('\r\n');
    const fromCsv = await importRecords(target, reader('csv', csv), { now: T0 });
    expect(fromCsv.written.mark).toBe(1);
  });

  it('refuses a version newer than it knows, saying so', async () => {
    const target = await emptyRegister('b.sqlite');
    await expect(
      importRecords(target, reader('json', '{"format":"crocetta-register","version":3}\n'), { now: T0 }),
    ).rejects.toThrow(/version 3 was written by a newer crocetta \(this one reads up to 2\)/);
  });
});

describe('import merge rules', () => {
  it('never overwrites a local trusted mark with a foreign nuisance one', async () => {
    const source = await seeded('a.sqlite');
    const text = await exportText(source, 'json');
    const target = dir.file('b.sqlite');
    const reg = await openRegister({ file: target, lookbackDays: 30 });
    await reg.mark('+390212345678', { label: 'trusted', company: null, category: null, at: T0 - 1000, by: 'panel' });
    await reg.close();
    const report = await importRecords(target, reader('json', text), { now: T0 });
    expect(report.keptTrusted).toBe(1);
    const after = await openRegister({ file: target, lookbackDays: 30 });
    expect(after.evidenceFor('+390212345678').mark?.label).toBe('trusted');
    expect(after.evidenceFor('+33612345678').mark?.label).toBe('trusted');
    await after.close();
  });

  it('neutralises formula injection in CSV cells and reads them back as they were', async () => {
    const text = await exportText(await seeded('a.sqlite'), 'csv');
    expect(text).toContain(`'=cmd|' /C calc'!A0`);
    expect(text).toContain(`''quoted`);
    expect(text).toContain(`"'@sip-ua\r\nline2"`);
    expect(text).not.toMatch(/(^|,)[=@]/m);
    // A phone number stays text in a spreadsheet (not 3.90212E+11), and reads back as it was (the round trip above).
    expect(text).toContain(",'+390212345678,");
    expect(text).not.toMatch(/(^|,)\+/m);
  });

  it('reads from a file stream as from memory', async () => {
    const text = await exportText(await seeded('a.sqlite'), 'json');
    writeFileSync(dir.file('x.jsonl'), text);
    const target = await emptyRegister('b.sqlite');
    const report = await importRecords(target, readJsonLines(createReadStream(dir.file('x.jsonl'))), { now: T0 });
    expect(report.written.attempt).toBe(3);
    expect(readFileSync(dir.file('x.jsonl'), 'utf8')).toBe(text);
  });
});
