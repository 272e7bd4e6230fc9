/** Media for announcements: SDP offer/answer, the RTP port pool, G.711 recordings and the RTP player. */
export {
  Announcer,
  Announcement,
  type AnnouncerSettings,
  type AnnounceProblem,
  type PrepareResult,
  type SessionResult,
} from './announcer.js';
export { MediaSession } from './media-session.js';
export { TelephoneEvents, keyOfEvent, telephoneEventPacket } from './dtmf.js';
export {
  loadCatalog,
  builtInRecording,
  type CatalogSettings,
  type RecordingCatalog,
  type RecordingChoice,
  type AnnouncementLanguage,
} from './catalog.js';
export { PortPool, parsePortRange, type PortRange, type RtpLease } from './port-pool.js';
export {
  RecordingError,
  decodeG711,
  decodeWav,
  encodeRecording,
  loadRecording,
  SAMPLE_RATE,
  SILENCE_BYTE,
  type Recording,
} from './recording.js';
export { RtpPacer, RtpStream, type EndReason, type PlayResult, type StreamSpec } from './rtp-player.js';
export { LocalRtp, type PlaySpec, type PlayingStream, type RtpEngine, type RtpPort } from './rtp-engine.js';
export { RtpThread, type RtpThreadSettings } from './rtp-thread.js';
export { readRtpHeader, writeRtpHeader, RTP_HEADER_BYTES, type RtpHeader } from './rtp-packet.js';
export {
  asOurOffer,
  readOffer,
  writeAnswer,
  type AudioOffer,
  type G711,
  type OfferProblem,
  type OfferResult,
} from './sdp.js';
export { openMedia, type Media, type MediaSettings } from './setup.js';
export { loadCheckPrompt, PROMPT_MAX_SECONDS, type PromptSettings } from './check-prompt.js';
