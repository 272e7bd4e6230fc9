/**
 * Announcement audio: WAV files of any common rate and sample format (PCM 8-32 bit, float, A-law, µ-law, IMA ADPCM;
 * mono or stereo) turned once, at start, into 8 kHz mono and pre-encoded to PCMA and PCMU. Never per call.
 */
import { readFileSync } from 'node:fs';
import alawmulaw from 'alawmulaw';
import wavefile from 'wavefile';
import type { G711 } from './sdp.js';

export const SAMPLE_RATE = 8000;
/** Encoded silence: the codes for linear 0 (A-law with even-bit inversion 0xD5, µ-law 0xFF). */
export const SILENCE_BYTE: Readonly<Record<G711, number>> = { PCMA: 0xd5, PCMU: 0xff };

const MIN_SECONDS = 0.2;
/** Peak below this (of full scale) is a silent file: surely a mistake. */
const MIN_PEAK = 0.01;

/** A recording that cannot be used, with the file and the reason; thrown at start (config load). */
export class RecordingError extends Error {
  override name = 'RecordingError';
}

/** One announcement, ready to stream: 8 kHz linear PCM and its two G.711 encodings. */
export interface Recording {
  name: string;
  samples: Int16Array;
  encoded: Readonly<Record<G711, Uint8Array>>;
  seconds: number;
}

export function encodeRecording(name: string, samples: Int16Array): Recording {
  return {
    name,
    samples,
    encoded: { PCMA: alawmulaw.alaw.encode(samples), PCMU: alawmulaw.mulaw.encode(samples) },
    seconds: samples.length / SAMPLE_RATE,
  };
}

/** Linear PCM back from G.711 (tests and the bench check what went over the wire). */
export function decodeG711(codec: G711, bytes: Uint8Array): Int16Array {
  return codec === 'PCMA' ? alawmulaw.alaw.decode(bytes) : alawmulaw.mulaw.decode(bytes);
}

interface WaveFmt {
  numChannels: number;
  sampleRate: number;
}

/**
 * Decodes a WAV file's bytes to 8 kHz mono 16-bit. `source` names the file in errors.
 * Throws RecordingError for anything unusable: not a WAV, unsupported encoding, too short, too long, silent.
 */
export function decodeWav(bytes: Uint8Array, source: string, maxSeconds: number): Int16Array {
  let wav: wavefile.WaveFile;
  try {
    wav = new wavefile.WaveFile(bytes);
  } catch (err) {
    throw new RecordingError(`${source}: not a readable WAV file (${(err as Error).message})`);
  }
  const fmt = { ...(wav.fmt as WaveFmt) };
  try {
    if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '4') wav.fromIMAADPCM();
  } catch (err) {
    throw new RecordingError(
      `${source}: unsupported WAV encoding "${wav.bitDepth}" (${(err as Error).message}); use PCM 8-32 bit, float, A-law or µ-law`,
    );
  }
  if (!(fmt.sampleRate >= 4000 && fmt.sampleRate <= 192_000)) {
    throw new RecordingError(`${source}: unusable sample rate ${fmt.sampleRate} Hz`);
  }
  if (!(fmt.numChannels >= 1 && fmt.numChannels <= 8)) {
    throw new RecordingError(`${source}: unusable channel count ${fmt.numChannels}`);
  }
  const scale = FULL_SCALE[wav.bitDepth];
  if (scale === undefined)
    throw new RecordingError(
      `${source}: unsupported WAV sample format "${wav.bitDepth}"; use PCM 8-32 bit, float, A-law or µ-law`,
    );
  let mono = mixdown(wav.getSamples(false, Float64Array) as Float64Array | Float64Array[], scale);
  const seconds = mono.length / fmt.sampleRate;
  if (seconds < MIN_SECONDS)
    throw new RecordingError(`${source}: too short (${seconds.toFixed(2)} s); at least ${MIN_SECONDS} s`);
  if (seconds > maxSeconds) {
    throw new RecordingError(
      `${source}: too long (${seconds.toFixed(1)} s); announcements.maxSeconds is ${maxSeconds}`,
    );
  }
  if (fmt.sampleRate !== SAMPLE_RATE) {
    const resampler = new wavefile.WaveFile();
    resampler.fromScratch(1, fmt.sampleRate, '32f', mono);
    resampler.toSampleRate(SAMPLE_RATE, { method: 'sinc', LPF: true });
    mono = resampler.getSamples(false, Float64Array);
  }
  const out = new Int16Array(mono.length);
  let peak = 0;
  for (let i = 0; i < mono.length; i++) {
    const v = Math.max(-1, Math.min(1, mono[i] ?? 0));
    peak = Math.max(peak, Math.abs(v));
    out[i] = Math.round(v * 32767);
  }
  if (peak < MIN_PEAK) throw new RecordingError(`${source}: the recording is silent`);
  return out;
}

/** Per sample format: the offset and divisor that bring samples to [-1, 1] (8-bit PCM is unsigned). */
const FULL_SCALE: Readonly<Record<string, { offset: number; divisor: number }>> = {
  '8': { offset: 128, divisor: 128 },
  '16': { offset: 0, divisor: 32768 },
  '24': { offset: 0, divisor: 8388608 },
  '32': { offset: 0, divisor: 2147483648 },
  '32f': { offset: 0, divisor: 1 },
  '64': { offset: 0, divisor: 1 },
};

/** The channels averaged into one, scaled to [-1, 1]. */
function mixdown(samples: Float64Array | Float64Array[], scale: { offset: number; divisor: number }): Float64Array {
  const channels = Array.isArray(samples) ? samples : [samples];
  const length = channels[0]?.length ?? 0;
  const out = new Float64Array(length);
  const k = 1 / (scale.divisor * channels.length);
  for (const ch of channels)
    for (let i = 0; i < length; i++) out[i] = (out[i] ?? 0) + ((ch[i] ?? 0) - scale.offset) * k;
  return out;
}

/** Reads and decodes a WAV file (see decodeWav), with the path in every error. */
export function loadRecording(file: string, name: string, maxSeconds: number): Recording {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new RecordingError(`${file}: cannot read the recording (${(err as Error).message})`);
  }
  return encodeRecording(name, decodeWav(bytes, file, maxSeconds));
}

/** Plays `parts` one after the other with `gapMs` of silence between them (the Italian and English messages). */
export function joinRecordings(name: string, parts: readonly Recording[], gapMs: number): Recording {
  const gap = Math.round((gapMs / 1000) * SAMPLE_RATE);
  const total = parts.reduce((n, p) => n + p.samples.length, 0) + gap * Math.max(0, parts.length - 1);
  const out = new Int16Array(total);
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) at += gap;
    out.set(p.samples, at);
    at += p.samples.length;
  });
  return encodeRecording(name, out);
}
