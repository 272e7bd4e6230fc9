/**
 * Which recording a call hears: the file configured for the mark's category, else for the verdict (withheld
 * callers count as "withheld"), else the default; the built-in Italian/English messages when nothing is configured.
 * Every file is read, checked and encoded once, at start: a bad file stops crocetta with its name and the reason.
 */
import { resolve } from 'node:path';
import { joinRecordings, loadRecording, type Recording } from './recording.js';

export type AnnouncementLanguage = 'it' | 'en' | 'both';

export interface CatalogSettings {
  language: AnnouncementLanguage;
  /** A WAV file for every call; empty = the built-in message in `language`. */
  defaultFile: string;
  /** By verdict (`suspect`, `nuisance`) or `withheld`. */
  byVerdict: Readonly<Record<string, string>>;
  /** By the category of the caller's nuisance mark (e.g. `energy`). */
  byCategory: Readonly<Record<string, string>>;
  maxSeconds: number;
  /** Where the built-in recordings live (assets/announcements of the installation). */
  builtInDir: string;
  /** Relative paths in the settings are resolved from here. */
  baseDir: string;
}

export interface RecordingChoice {
  verdict: string;
  withheld: boolean;
  category: string | null;
}

export interface RecordingCatalog {
  pick(choice: RecordingChoice): Recording;
  /** Every distinct recording (for logs and tests). */
  readonly all: readonly Recording[];
}

/** Silence between the Italian and the English message when `language: both` (ms). */
const LANGUAGE_GAP_MS = 600;

export function builtInRecording(dir: string, language: AnnouncementLanguage, maxSeconds: number): Recording {
  const it = (): Recording => loadRecording(resolve(dir, 'it.wav'), 'built-in it', maxSeconds);
  const en = (): Recording => loadRecording(resolve(dir, 'en.wav'), 'built-in en', maxSeconds);
  if (language === 'it') return it();
  if (language === 'en') return en();
  const both = joinRecordings('built-in it+en', [it(), en()], LANGUAGE_GAP_MS);
  if (both.seconds > maxSeconds) return it();
  return both;
}

/** Loads every configured recording once. Throws RecordingError naming the file on the first unusable one. */
export function loadCatalog(s: CatalogSettings): RecordingCatalog {
  const cache = new Map<string, Recording>();
  const load = (file: string, name: string): Recording => {
    const path = resolve(s.baseDir, file);
    let rec = cache.get(path);
    if (!rec) {
      rec = loadRecording(path, name, s.maxSeconds);
      cache.set(path, rec);
    }
    return rec;
  };
  const fallback =
    s.defaultFile.trim() !== ''
      ? load(s.defaultFile, 'default')
      : builtInRecording(s.builtInDir, s.language, s.maxSeconds);
  const byVerdict = new Map<string, Recording>();
  for (const [verdict, file] of Object.entries(s.byVerdict))
    if (file.trim() !== '') byVerdict.set(verdict, load(file, `verdict ${verdict}`));
  const byCategory = new Map<string, Recording>();
  for (const [category, file] of Object.entries(s.byCategory)) {
    if (file.trim() !== '') byCategory.set(category.toLowerCase(), load(file, `category ${category}`));
  }
  const all = [fallback, ...new Set([...byVerdict.values(), ...byCategory.values()])];
  return {
    all,
    pick(choice) {
      const byCat = choice.category === null ? undefined : byCategory.get(choice.category.toLowerCase());
      return (
        byCat ?? (choice.withheld ? byVerdict.get('withheld') : undefined) ?? byVerdict.get(choice.verdict) ?? fallback
      );
    },
  };
}
