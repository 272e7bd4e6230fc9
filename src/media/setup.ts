/**
 * Builds the announcement machinery from settings, once at start: recordings read, checked and pre-encoded,
 * the RTP port pool, the announcer with its concurrency cap.
 */
import { Announcer } from './announcer.js';
import { loadCatalog, type CatalogSettings, type RecordingCatalog } from './catalog.js';
import { parsePortRange, PortPool } from './port-pool.js';
import { RecordingError } from './recording.js';

export interface MediaSettings extends Omit<CatalogSettings, 'maxSeconds'> {
  mediaAddress: string;
  bindAddress: string;
  rtpPorts: string;
  maxConcurrent: number;
  repeat: number;
  gapMs: number;
  maxSeconds: number;
}

export interface Media {
  announcer: Announcer;
  catalog: RecordingCatalog;
  /** Stops every announcement (shutdown); their ports are returned as each stream ends. */
  stop(): void;
}

export function openMedia(s: MediaSettings): Media {
  let catalog: RecordingCatalog;
  try {
    catalog = loadCatalog(s);
  } catch (err) {
    if (err instanceof RecordingError) throw new RecordingError(`announcements.files: ${err.message}`);
    throw err;
  }
  const announcer = new Announcer({
    mediaAddress: s.mediaAddress,
    ports: new PortPool(parsePortRange(s.rtpPorts), s.bindAddress),
    maxConcurrent: s.maxConcurrent,
    repeat: s.repeat,
    gapMs: s.gapMs,
    maxSeconds: s.maxSeconds,
  });
  return { announcer, catalog, stop: () => announcer.pacer.stopAll() };
}
