import { createReadStream, readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureDataFile } from '../../../test/support/fixture-data.js';
import { openRegister } from '../../store/register/register.js';
import { tempDir, type TempDir } from '../../store/test-tmp.js';
import { ImportRejectedError, importRecords, type SourceItem } from '../import.js';
import { openSource, type ImportFormat } from '../sources.js';
import { readFritzbox, writeFritzbox } from './fritzbox.js';
import { ftcCategory } from './ftc.js';

const NOW = Date.parse('2026-11-05T09:30:00+01:00');
let dir: TempDir;
beforeEach(() => {
  dir = tempDir('crocetta-formats-');
});
afterEach(() => dir.remove());

async function register(): Promise<string> {
  const file = dir.file('r.sqlite');
  await (await openRegister({ file, lookbackDays: 30 })).close();
  return file;
}

function source(format: ImportFormat, input: Readable | string, as?: 'trusted' | 'nuisance') {
  const stream = typeof input === 'string' ? Readable.from([Buffer.from(input)]) : input;
  return openSource(format, stream, { country: 'IT', timeZone: 'Europe/Rome', now: NOW, ...(as && { as }) });
}

async function run(
  format: ImportFormat,
  input: Readable | string,
  file: string,
  opts: { lenient?: boolean; as?: 'trusted' | 'nuisance' } = {},
) {
  const s = source(format, input, opts.as);
  return importRecords(file, s.items, {
    now: NOW,
    ...(s.historyBy && { historyBy: s.historyBy }),
    ...(opts.lenient && { lenient: true }),
  });
}

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const i of items) out.push(i);
  return out;
}

describe('FTC Do Not Call complaints (real file)', () => {
  it('marks the complained-about numbers nuisance with categories, keeps dirty rows out with a count, and is idempotent', async () => {
    const file = await register();
    const report = await run('ftc', createReadStream(fixtureDataFile('ftc-dnc-complaints-2021-07-08.csv')), file);
    expect(report.lines).toBeGreaterThan(14_000);
    const dropped = Object.values(report.dropped).reduce((a, b) => a + b, 0);
    expect(dropped).toBeGreaterThan(100);
    expect(report.read.mark + dropped).toBe(report.lines - 1);
    expect(report.written.mark).toBeGreaterThan(5000);
    expect(report.written.mark).toBeLessThan(report.read.mark); // repeat complaints fold into one mark
    const reg = await openRegister({ file, lookbackDays: 30 });
    const mark = reg.evidenceFor('+14703352559').mark;
    expect(mark?.label).toBe('nuisance');
    await reg.close();
    const again = await run('ftc', createReadStream(fixtureDataFile('ftc-dnc-complaints-2021-07-08.csv')), file);
    expect(again.written.mark).toBe(0);
    expect(again.written.history).toBe(0);
  });

  it('maps subjects to categories', () => {
    expect(ftcCategory('Warranties  & protection plans')).toBe('warranties');
    expect(ftcCategory('Calls pretending to be government, businesses, or family and friends')).toBe('impostor');
    expect(ftcCategory('No Subject Provided')).toBeNull();
  });
});

describe('FRITZ!Box phonebook', () => {
  it('imports the real block list, and writes a phonebook that reads back the same numbers', async () => {
    const file = await register();
    const report = await run('fritzbox', createReadStream(fixtureDataFile('fritzbox-spam-phonebook.xml')), file);
    expect(report.written.mark).toBeGreaterThan(100);
    const items = await collect(
      source('fritzbox', createReadStream(fixtureDataFile('fritzbox-spam-phonebook.xml'))).items,
    );
    const numbers = items.flatMap((i) => ('record' in i ? [String(i.record.values.caller_key)] : []));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeFritzbox(
      out,
      numbers.map((n) => ({ number: n, name: `<spam & "co"> ${n}`, at: NOW })),
    );
    out.end();
    const xml = Buffer.concat(chunks).toString('utf8');
    const back = await collect(readFritzbox(Readable.from([xml]), { label: 'nuisance', country: 'DE', now: NOW }));
    expect(back.flatMap((i) => ('record' in i ? [String(i.record.values.caller_key)] : []))).toEqual(numbers);
  });

  it('refuses XML with a DOCTYPE (external entities, billion laughs) and broken XML', async () => {
    const file = await register();
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE phonebooks [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<phonebooks><phonebook><contact><person><realName>&x;</realName></person><telephony><number>+390212345678</number></telephony></contact></phonebook></phonebooks>';
    await expect(run('fritzbox', xxe, file)).rejects.toThrow(/DOCTYPE/);
    const truncated = readFileSync(fixtureDataFile('fritzbox-spam-phonebook.xml'), 'utf8').slice(0, 5000);
    await expect(run('fritzbox', truncated, file)).rejects.toThrow(ImportRejectedError);
    await expect(run('fritzbox', '<html><body/></html>', file)).rejects.toThrow(/not a FRITZ!Box phonebook/);
  });
});

describe('vCard', () => {
  it('imports the real spam contacts as a block list', async () => {
    const file = await register();
    const report = await run('vcard', createReadStream(fixtureDataFile('spam-contacts.vcf')), file, { as: 'nuisance' });
    expect(report.written.mark).toBeGreaterThan(100);
  });

  it('makes an allow-list from contacts by default (folded lines, ORG, tel: URIs), and refuses a card cut short', async () => {
    const file = await register();
    const vcf =
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mario Rossi\r\nORG:Rossi Impian\r\n ti SRL;Ufficio\r\nTEL;TYPE=CELL:tel:+39 333 123 4567\r\nEND:VCARD\r\n';
    const report = await run('vcard', vcf, file);
    expect(report.written.mark).toBe(1);
    const reg = await openRegister({ file, lookbackDays: 30 });
    expect(reg.evidenceFor('+393331234567').mark).toMatchObject({ label: 'trusted', company: 'Rossi Impianti SRL' });
    await reg.close();
    await expect(run('vcard', vcf.slice(0, 70), file)).rejects.toThrow(/ends inside a card/);
  });
});

describe('categories in an imported file', () => {
  it('keeps a known name in either language as its key (CATEGORIES:Energia), any other word as written', async () => {
    const file = await register();
    const card = (tel: string, category: string) =>
      `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nCATEGORIES:${category}\r\nTEL:${tel}\r\nEND:VCARD\r\n`;
    const vcf = card('+39 333 123 4567', 'Energia') + card('+39 347 111 2233', 'Fotovoltaico');
    expect((await run('vcard', vcf, file, { as: 'nuisance' })).written.mark).toBe(2);
    const reg = await openRegister({ file, lookbackDays: 30 });
    expect(reg.evidenceFor('+393331234567').mark?.category).toBe('energy');
    expect(reg.evidenceFor('+393471112233').mark?.category).toBe('Fotovoltaico');
    await reg.close();
  });

  it('keeps any other word trimmed, as the API and CLI keep it (an own-format row kept " Pannelli solari ")', async () => {
    // The foreign formats trim their cells; the own format's rows (a hand-edited export) reach the staging as found.
    const file = await register();
    const mark = (line: number, number: string, category: string): SourceItem => ({
      line,
      record: {
        kind: 'mark',
        values: { caller_key: number, label: 'nuisance', marked_at: NOW, company: null, category, updated_at: NOW },
      },
    });
    const items = Readable.from([
      mark(1, '+393331234567', ' Pannelli solari '),
      mark(2, '+393471112233', ' Energia '),
      mark(3, '+393401234567', '  '),
    ]);
    expect((await importRecords(file, items, { now: NOW })).written.mark).toBe(3);
    const reg = await openRegister({ file, lookbackDays: 30 });
    expect(reg.evidenceFor('+393331234567').mark?.category).toBe('Pannelli solari');
    expect(reg.evidenceFor('+393471112233').mark?.category).toBe('energy');
    expect(reg.evidenceFor('+393401234567').mark?.category).toBeNull();
    await reg.close();
  });
});

describe('plain list', () => {
  it('imports one number per line with comments; a junk line rejects the file, or is skipped with --lenient', async () => {
    const file = await register();
    const list = '# spam\n+39 02 1234 5678\n\n0287176900\nnot a number\n';
    await expect(run('list', list, file)).rejects.toThrow(/line 5: not a phone number/);
    const report = await run('list', list, file, { lenient: true });
    expect(report.written.mark).toBe(2);
    expect(report.skipped).toEqual([{ line: 5, reason: expect.stringMatching(/not a phone number/) as unknown }]);
  });
});

describe('Asterisk CDR', () => {
  const cdr = [
    '"","0287176900","0212345678","from-trunk","""Call Center"" <0287176900>","PJSIP/trunk-0001","PJSIP/100-0002","Dial","PJSIP/100","2026-11-02 10:15:00","2026-11-02 10:15:05","2026-11-02 10:15:35",35,30,"ANSWERED","DOCUMENTATION","1730538900.1",""',
    '"","100","3331234567","from-internal","""Office"" <100>","PJSIP/100-0003","PJSIP/trunk-0004","Dial","PJSIP/trunk/3331234567","2026-11-02 11:00:00","2026-11-02 11:00:04","2026-11-02 11:02:00",120,116,"ANSWERED","DOCUMENTATION","1730541600.2",""',
    '"","anonymous","0212345678","from-trunk","""Anonymous"" <anonymous>","PJSIP/trunk-0005","","Hangup","","2026-11-02 12:00:00","","2026-11-02 12:00:02",2,0,"NO ANSWER","DOCUMENTATION","1730545200.3",""',
  ].join('\n');

  it('seeds the register with inbound calls and the "we called them" net with outbound ones, once', async () => {
    const file = await register();
    const report = await run('asterisk-cdr', cdr, file);
    expect(report.written).toMatchObject({ attempt: 2, called: 1 });
    const again = await run('asterisk-cdr', cdr, file);
    expect(again.written).toMatchObject({ attempt: 0, called: 0 });
    const reg = await openRegister({ file, lookbackDays: 3650 });
    expect(reg.evidenceFor('+393331234567').calledByUs).toBe(Date.parse('2026-11-02T11:00:00+01:00'));
    const attempts = await reg.attempts({ callerKey: '+390287176900' });
    expect(attempts[0]).toMatchObject({
      callerName: 'Call Center',
      calledNumber: '+390212345678',
      outcome: 'answered',
      callId: 'cdr:1730538900.1',
    });
    await reg.close();
  });

  it("keys no caller by a carrier's placeholder (0000000000, +39): every caller it has no number for (session 49)", async () => {
    const file = await register();
    const junk = ['0000000000', '+39'].map(
      (src, i) =>
        `"","${src}","0212345678","from-trunk","<${src}>","PJSIP/trunk-001${i}","PJSIP/100-002${i}","Dial","PJSIP/100","2026-11-03 10:1${i}:00","2026-11-03 10:1${i}:05","2026-11-03 10:1${i}:35",35,30,"ANSWERED","DOCUMENTATION","1730625000.${i}",""`,
    );
    expect((await run('asterisk-cdr', junk.join('\n'), file)).written).toMatchObject({ attempt: 2 });
    const reg = await openRegister({ file, lookbackDays: 3650 });
    const rows = await reg.attempts({});
    expect(rows.map((a) => [a.callerRaw, a.callerKey]).sort()).toEqual([
      ['+39', null],
      ['0000000000', null],
    ]);
    await reg.close();
  });
});
