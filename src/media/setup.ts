/**
 * Builds the announcement machinery from settings, once at start: recordings read, checked and pre-encoded,
 * the RTP worker thread (ports and pacing off the main thread), the announcer with its concurrency cap.
 */
import { Announcer, type AnnouncerSettings } from './announcer.js';
import { loadCatalog, type CatalogSettings, type RecordingCatalog } from './catalog.js';
import { parsePortRange } from './port-pool.js';
import { RecordingError } from './recording.js';
import { RtpThread, type ThreadPriority } from './rtp-thread.js';

export interface MediaSettings extends Omit<CatalogSettings, 'maxSeconds'> {
  mediaAddress: string;
  bindAddress: string;
  rtpPorts: string;
  /** Nice value asked for the RTP worker thread (default RTP_THREAD_NICE; null: the process's). */
  rtpThreadNice?: number | null;
  /** SCHED_FIFO priority asked for the RTP worker thread (default RTP_THREAD_REALTIME; null: the ordinary class). */
  rtpThreadRealtime?: number | null;
  maxConcurrent: number;
  repeat: number;
  gapMs: number;
  maxSeconds: number;
  /** Start the RTP worker thread now (an announcing action is configured), not at the first announcement. */
  startNow?: boolean;
  /** Told when the RTP worker thread fails (it is started again for the next announcement). */
  onError?: (err: Error) => void;
  /** Told, each time the RTP worker thread starts, the priority its thread got (RTP_THREAD_NICE, if allowed). */
  onPriority?: (p: ThreadPriority) => void;
  /** Told each time a call cannot have its media (no port free, busy, an offer without G.711...). */
  onRefused?: AnnouncerSettings['onRefused'];
}

export interface Media {
  announcer: Announcer;
  catalog: RecordingCatalog;
  /** Stops every announcement (shutdown) and the RTP worker thread. */
  stop(): Promise<void>;
}

export function openMedia(s: MediaSettings): Media {
  let catalog: RecordingCatalog;
  try {
    catalog = loadCatalog(s);
  } catch (err) {
    if (err instanceof RecordingError) throw new RecordingError(`announcements.files: ${err.message}`);
    throw err;
  }
  const rtp = new RtpThread({
    range: parsePortRange(s.rtpPorts),
    bindAddress: s.bindAddress,
    ...(s.rtpThreadNice !== undefined && { nice: s.rtpThreadNice }),
    ...(s.rtpThreadRealtime !== undefined && { realtime: s.rtpThreadRealtime }),
    ...(s.onError && { onError: s.onError }),
    ...(s.onPriority && { onPriority: s.onPriority }),
  });
  if (s.startNow) rtp.start();
  const announcer = new Announcer({
    mediaAddress: s.mediaAddress,
    ports: rtp,
    maxConcurrent: s.maxConcurrent,
    repeat: s.repeat,
    gapMs: s.gapMs,
    maxSeconds: s.maxSeconds,
    ...(s.onRefused && { onRefused: s.onRefused }),
  });
  return { announcer, catalog, stop: () => rtp.close() };
}
