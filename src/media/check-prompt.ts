/**
 * The human check's prompt: the built-in "Per parlare con noi, premete 1" / "To speak with us, press 1"
 * (assets/check, made by scripts/make-announcements.sh like the NO) in Italian, English or both, or a WAV file of the
 * business's own (at most 10 s). Read, checked and encoded once, at start; a bad file stops crocetta.
 */
import { resolve } from 'node:path';
import type { AnnouncementLanguage } from './catalog.js';
import { joinRecordings, loadRecording, RecordingError, type Recording } from './recording.js';

/** A prompt longer than this is refused at start: callers must not wait to learn what to press. */
export const PROMPT_MAX_SECONDS = 10;
/** Silence between the Italian and the English prompt (ms). */
const LANGUAGE_GAP_MS = 600;

export interface PromptSettings {
  language: AnnouncementLanguage;
  /** A WAV file; empty = the built-in prompt. Relative to baseDir. */
  file: string;
  /** assets/check of the installation. */
  builtInDir: string;
  baseDir: string;
}

export function loadCheckPrompt(s: PromptSettings): Recording {
  try {
    if (s.file.trim() !== '') return loadRecording(resolve(s.baseDir, s.file), 'check prompt', PROMPT_MAX_SECONDS);
    const it = (): Recording =>
      loadRecording(resolve(s.builtInDir, 'it.wav'), 'built-in check prompt it', PROMPT_MAX_SECONDS);
    const en = (): Recording =>
      loadRecording(resolve(s.builtInDir, 'en.wav'), 'built-in check prompt en', PROMPT_MAX_SECONDS);
    if (s.language === 'it') return it();
    if (s.language === 'en') return en();
    return joinRecordings('built-in check prompt it+en', [it(), en()], LANGUAGE_GAP_MS);
  } catch (err) {
    if (err instanceof RecordingError) throw new RecordingError(`check.file: ${err.message}`);
    throw err;
  }
}
