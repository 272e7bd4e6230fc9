import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { correlation, testSignal } from '../../test/support/rtp-sink.js';
import { loadCatalog } from './catalog.js';
import { decodeG711, decodeWav, loadRecording, RecordingError, SAMPLE_RATE } from './recording.js';

function wav(
  channels: number,
  rate: number,
  depth: string,
  samples: Float64Array,
  convert?: (w: wavefile.WaveFile) => void,
): Uint8Array {
  const w = new wavefile.WaveFile();
  const ints =
    depth === '32f'
      ? samples
      : Float64Array.from(samples, (v) => Math.round(v * (depth === '8' ? 127 : 32767)) + (depth === '8' ? 128 : 0));
  w.fromScratch(channels, rate, depth, channels === 1 ? ints : Array.from({ length: channels }, () => ints));
  convert?.(w);
  return w.toBuffer();
}

const at8k = Float64Array.from(testSignal(SAMPLE_RATE), (v) => Math.round(v * 32767) / 32767);

describe('decodeWav', () => {
  it.each([
    ['44.1 kHz stereo float', () => wav(2, 44_100, '32f', testSignal(44_100))],
    ['16 kHz mono 16-bit', () => wav(1, 16_000, '16', testSignal(16_000))],
    ['8 kHz mono 8-bit unsigned', () => wav(1, 8000, '8', testSignal(8000))],
    ['8 kHz A-law', () => wav(1, 8000, '16', testSignal(8000), (w) => w.toALaw())],
    ['8 kHz µ-law', () => wav(1, 8000, '16', testSignal(8000), (w) => w.toMuLaw())],
  ])('turns %s into 8 kHz mono that still sounds like the original', (_name, make) => {
    const out = decodeWav(make(), 'test.wav', 30);
    expect(Math.abs(out.length - SAMPLE_RATE)).toBeLessThanOrEqual(2);
    expect(
      correlation(
        out,
        Float64Array.from(at8k, (v) => v * 32767),
      ),
    ).toBeGreaterThan(0.95);
  });

  it.each([
    ['not a WAV', () => new TextEncoder().encode('RIFF but not really'), /not a readable WAV/],
    ['too long', () => wav(1, 8000, '16', testSignal(8000, 3)), /too long \(3\.0 s\); announcements\.maxSeconds is 2/],
    ['too short', () => wav(1, 8000, '16', testSignal(8000, 0.05)), /too short/],
    ['silent', () => wav(1, 8000, '16', new Float64Array(8000)), /silent/],
  ])('refuses a file that is %s, naming it', (_name, make, message) => {
    expect(() => decodeWav(make(), '/etc/crocetta/bad.wav', 2)).toThrow(RecordingError);
    expect(() => decodeWav(make(), '/etc/crocetta/bad.wav', 2)).toThrow(message);
    expect(() => decodeWav(make(), '/etc/crocetta/bad.wav', 2)).toThrow(/^\/etc\/crocetta\/bad\.wav: /);
  });
});

describe('recordings', () => {
  it('pre-encodes both G.711 laws once, decoding back to the same audio', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-rec-'));
    writeFileSync(join(dir, 'a.wav'), wav(1, 8000, '16', testSignal(8000)));
    const rec = loadRecording(join(dir, 'a.wav'), 'a', 30);
    expect(rec.encoded.PCMA.length).toBe(rec.samples.length);
    expect(correlation(decodeG711('PCMA', rec.encoded.PCMA), rec.samples)).toBeGreaterThan(0.999);
    expect(correlation(decodeG711('PCMU', rec.encoded.PCMU), rec.samples)).toBeGreaterThan(0.999);
  });

  it('ships Italian and English messages, both a few seconds of 8 kHz audio, and picks by category, withheld, verdict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-cat-'));
    writeFileSync(join(dir, 'energy.wav'), wav(1, 22_050, '16', testSignal(22_050)));
    writeFileSync(join(dir, 'anon.wav'), wav(1, 8000, '16', testSignal(8000, 0.5)));
    const builtInDir = join(import.meta.dirname, '../../assets/announcements');
    const catalog = loadCatalog({
      language: 'both',
      defaultFile: '',
      byVerdict: { withheld: 'anon.wav' },
      byCategory: { Energy: 'energy.wav' },
      maxSeconds: 30,
      builtInDir,
      baseDir: dir,
    });
    const builtIn = catalog.pick({ verdict: 'nuisance', withheld: false, category: null });
    expect(builtIn.name).toBe('built-in it+en');
    expect(builtIn.seconds).toBeGreaterThan(8);
    expect(builtIn.seconds).toBeLessThan(20);
    expect(catalog.pick({ verdict: 'nuisance', withheld: true, category: 'energy' }).name).toBe('category Energy');
    expect(catalog.pick({ verdict: 'suspect', withheld: true, category: null }).name).toBe('verdict withheld');
    for (const lang of ['it', 'en'] as const) {
      const one = loadCatalog({
        language: lang,
        defaultFile: '',
        byVerdict: {},
        byCategory: {},
        maxSeconds: 30,
        builtInDir,
        baseDir: dir,
      });
      expect(one.all[0]?.seconds).toBeGreaterThan(3);
      expect(one.all[0]?.seconds).toBeLessThan(10);
    }
  });
});
