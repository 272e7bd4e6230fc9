/**
 * A friend's last pull error on the Italian Friends page (user38, session 38: the page was Italian, the errors
 * English): each reason the feeds write (feed-puller.ts), with the details they write, said in Italian with what to
 * do; the English page and text of another shape keep the words as written.
 */
import { describe, expect, it } from 'vitest';
import { friendErrorText } from './friend-error-text.js';
import { localeFor } from './i18n.js';

const it_ = localeFor('it', 'Europe/Rome', 'IT');
const en = localeFor('en', 'Europe/Rome', 'IT');

describe("a friend's last error in Italian", () => {
  it.each([
    [
      'unreachable: HTTP 401',
      'il feed dell’amico ha rifiutato il token (HTTP 401): chiedi all’amico il suo token del feed e aggiungilo di nuovo',
    ],
    ['unreachable: HTTP 404', 'l’indirizzo del feed non esiste (HTTP 404): controllalo con l’amico'],
    ['unreachable: HTTP 502', 'il feed dell’amico ha risposto con un errore (HTTP 502): si riprova più tardi'],
    [
      'unreachable: The operation was aborted due to timeout',
      'il feed dell’amico non ha risposto in tempo: si riprova più tardi',
    ],
    ['unreachable: fetch failed', 'il feed dell’amico non è raggiungibile: si riprova più tardi (fetch failed)'],
    [
      "forged: the signature does not match the friend's public key",
      'la firma del feed non corrisponde alla chiave pubblica dell’amico: nulla è stato unito (controlla la chiave con l’amico)',
    ],
    [
      'forged: no crocetta-feed-signature header',
      'il feed non è firmato: nulla è stato unito (l’indirizzo è quello del feed di un crocetta?)',
    ],
    ['malformed: not JSON', 'la risposta non è un feed (non è JSON): l’indirizzo è quello giusto?'],
    [
      'malformed: entries.0.number: Invalid input',
      'il feed non è valido: nulla è stato unito (entries.0.number: Invalid input)',
    ],
    ['oversized: 9000000 bytes > 8388608', 'il feed è troppo grande: più di 8.388.608 byte (feeds.maxFeedBytes)'],
    [
      'oversized: Content-Length 9000000 > 8388608',
      'il feed è troppo grande: più di 8.388.608 byte (feeds.maxFeedBytes)',
    ],
    ['oversized: body > 8388608 bytes', 'il feed è troppo grande: più di 8.388.608 byte (feeds.maxFeedBytes)'],
    [
      'oversized: 250001 entries > 200000',
      'il feed è troppo grande: 250.001 voci, al massimo 200.000 (feeds.maxEntries)',
    ],
    [
      'stale: issued at 2026-12-06T09:15:00.000Z',
      `il feed è vecchio (emesso il ${it_.dateTime(Date.parse('2026-12-06T09:15:00.000Z'))}): nulla è stato unito (l’orologio dell’amico è giusto?)`,
    ],
    [
      'replayed: version 12 (since 12), we hold 12 and asked since 12',
      'il feed non è più recente di quello già unito (versione 12, abbiamo la 12): nulla è stato unito',
    ],
  ])('%s', (error, italian) => {
    expect(friendErrorText(it_, error)).toBe(italian);
    expect(friendErrorText(en, error)).toBe(error);
  });

  it('keeps an error of another shape as written', () => {
    for (const error of ['something else', 'unknown-reason: detail', ''])
      expect(friendErrorText(it_, error)).toBe(error);
  });
});
