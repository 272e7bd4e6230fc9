import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { csvHeader, jsonHeader } from './crocetta-format.js';
import { peekStream, sniffImportFormat } from './sniff-format.js';

const sniff = (body: string, type?: string) => sniffImportFormat(Buffer.from(body), type);

describe('sniffImportFormat', () => {
  it("tells crocetta's own exports by their first line, whatever the Content-Type", () => {
    expect(sniff(`${jsonHeader(0)}{"type":"mark"}\n`, 'application/x-www-form-urlencoded')).toBe('json');
    expect(sniff(`${csvHeader()}mark,+390212345678\r\n`, 'application/octet-stream')).toBe('csv');
    expect(sniff(`\uFEFF\n\n${jsonHeader(0)}`)).toBe('json');
    expect(sniff('"crocetta-register","1"\r\ntype,number\r\n')).toBe('csv');
    // the body wins over a Content-Type that says otherwise
    expect(sniff(csvHeader(), 'application/x-ndjson')).toBe('csv');
  });

  it('tells the self-describing foreign formats', () => {
    expect(sniff('Company_Phone_Number,Created_Date,Violation_Date\n')).toBe('ftc');
    expect(sniff('<?xml version="1.0" encoding="utf-8"?>\n<phonebooks>\n<phonebook name="x">')).toBe('fritzbox');
    expect(sniff('BEGIN:VCARD\r\nVERSION:3.0\r\n')).toBe('vcard');
  });

  it('falls back on the Content-Type, and gives up when neither tells', () => {
    expect(sniff('{"type":"mark"}\n', 'application/x-ndjson; charset=utf-8')).toBe('json');
    expect(sniff('N:Rossi\n', 'text/vcard')).toBe('vcard');
    expect(sniff('+390212345678\n+390287176900\n')).toBeNull();
    expect(sniff('"","2026-11-05","0212345678"\n', 'text/csv')).toBeNull(); // an Asterisk CDR: not self-describing
    expect(sniff('{"format":"someone-else","version":1}\n')).toBeNull();
    expect(sniff('{"format":"crocetta-regi')).toBeNull(); // truncated header
    expect(sniff('')).toBeNull();
  });
});

describe('peekStream', () => {
  it('returns the first bytes and a stream that yields everything again', async () => {
    const input = Readable.from(
      ['abc', 'def', 'x'.repeat(5000), 'tail'].map((s) => Buffer.from(s)),
      { objectMode: false },
    );
    const { head, stream } = await peekStream(input, 4);
    expect(head.toString()).toBe('abcdef');
    expect(await text(stream)).toBe(`abcdef${'x'.repeat(5000)}tail`);
  });

  it('copes with a stream shorter than the peek, and passes errors on', async () => {
    const short = await peekStream(Readable.from([Buffer.from('hi')], { objectMode: false }), 4096);
    expect(short.head.toString()).toBe('hi');
    expect(await text(short.stream)).toBe('hi');
    const failing = new Readable({ read() {} });
    failing.push(Buffer.from('first'));
    const peeked = await peekStream(failing, 1);
    failing.destroy(new Error('upload broken'));
    await expect(text(peeked.stream)).rejects.toThrow('upload broken');
  });
});
