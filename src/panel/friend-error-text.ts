/**
 * A friend's last pull error as the Friends page says it. The feeds keep it in English, `<reason>: <detail>`
 * (feeds.ts; `crocetta feed list` and the log say it so); the Italian page says each reason and the details it knows
 * in Italian, with what to do, and quotes a detail it does not know after the Italian sentence. Text of another
 * shape stays as written (never a guessed sentence). The English page says it as written.
 */
import type { Locale } from './i18n.js';

type Render = (detail: string, loc: Locale) => string;

/** A detail the Italian sentence does not say itself, quoted as the feed wrote it. */
const quoted = (detail: string): string => (detail === '' ? '' : ` (${detail})`);

const IT: Record<string, Render> = {
  unreachable: (d) => {
    const status = /^HTTP (\d{3})$/.exec(d)?.[1];
    if (status === '401' || status === '403')
      return `il feed dell’amico ha rifiutato il token (HTTP ${status}): chiedi all’amico il suo token del feed e aggiungilo di nuovo`;
    if (status === '404') return 'l’indirizzo del feed non esiste (HTTP 404): controllalo con l’amico';
    if (status !== undefined)
      return `il feed dell’amico ha risposto con un errore (HTTP ${status}): si riprova più tardi`;
    if (/timeout|aborted/i.test(d)) return 'il feed dell’amico non ha risposto in tempo: si riprova più tardi';
    return `il feed dell’amico non è raggiungibile: si riprova più tardi${quoted(d)}`;
  },
  forged: (d) =>
    d === "the signature does not match the friend's public key"
      ? 'la firma del feed non corrisponde alla chiave pubblica dell’amico: nulla è stato unito (controlla la chiave con l’amico)'
      : /^no \S+ header$/.test(d)
        ? 'il feed non è firmato: nulla è stato unito (l’indirizzo è quello del feed di un crocetta?)'
        : `il feed non è firmato dall’amico: nulla è stato unito${quoted(d)}`,
  malformed: (d) =>
    d === 'not JSON'
      ? 'la risposta non è un feed (non è JSON): l’indirizzo è quello giusto?'
      : `il feed non è valido: nulla è stato unito${quoted(d)}`,
  oversized: (d, loc) => {
    const entries = /^(\d+) entries > (\d+)$/.exec(d);
    if (entries)
      return `il feed è troppo grande: ${loc.number(Number(entries[1]))} voci, al massimo ${loc.number(Number(entries[2]))} (feeds.maxEntries)`;
    // feed-puller.ts: "<n> bytes > <max>", "Content-Length <n> > <max>", "body > <max> bytes".
    const bytes = /^(?:\d+ bytes|Content-Length \d+) > (\d+)$|^body > (\d+) bytes$/.exec(d);
    const limit = bytes?.[1] ?? bytes?.[2];
    return limit === undefined
      ? `il feed è troppo grande${quoted(d)}`
      : `il feed è troppo grande: più di ${loc.number(Number(limit))} byte (feeds.maxFeedBytes)`;
  },
  stale: (d, loc) => {
    const at = Date.parse(/^issued at (.+)$/.exec(d)?.[1] ?? '');
    return Number.isFinite(at)
      ? `il feed è vecchio (emesso il ${loc.dateTime(at)}): nulla è stato unito (l’orologio dell’amico è giusto?)`
      : `il feed è vecchio: nulla è stato unito${quoted(d)}`;
  },
  replayed: (d) => {
    const m = /^version (\d+) \(since \d+\), we hold (\d+) and asked since \d+$/.exec(d);
    return m
      ? `il feed non è più recente di quello già unito (versione ${m[1]}, abbiamo la ${m[2]}): nulla è stato unito`
      : `il feed non è più recente di quello già unito: nulla è stato unito${quoted(d)}`;
  },
};

/** The error in the page's language. */
export function friendErrorText(loc: Locale, error: string): string {
  if (loc.lang !== 'it') return error;
  const m = /^([a-z]+): ([\s\S]*)$/.exec(error);
  const render = m?.[1] === undefined ? undefined : IT[m[1]];
  return render === undefined || m?.[2] === undefined ? error : render(m[2], loc);
}
