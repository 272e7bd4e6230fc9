import { describe, expect, it } from 'vitest';
import { urlForLog } from './feed-puller.js';

describe("a friend's feed URL as the log and the friend's last error say it (urlForLog)", () => {
  it('names each query parameter, its value redacted', () => {
    expect(urlForLog('https://proxy.example/api/feed?key=q-s3cret-77&since=5')).toBe(
      'https://proxy.example/api/feed?key=[redacted]&since=[redacted]',
    );
    expect(urlForLog('https://feeds:pw@proxy.example/api/feed')).toBe('https://[redacted]@proxy.example/api/feed');
  });

  it('redacts a query item that is no `name=value`: a bare token is the secret itself, not a name', () => {
    // Was https://proxy.example/api/feed?q-s3cret-77=[redacted]: the token printed as if it were the key's name.
    expect(urlForLog('https://proxy.example/api/feed?q-s3cret-77')).toBe('https://proxy.example/api/feed?[redacted]');
    expect(urlForLog('https://proxy.example/api/feed?a=1&q-s3cret-77')).toBe(
      'https://proxy.example/api/feed?a=[redacted]&[redacted]',
    );
    // An escaped '=' in the name (was `token=s3cret=[redacted]`), or a name no proxy gives a parameter.
    expect(urlForLog('https://proxy.example/api/feed?token%3Ds3cret')).toBe(
      'https://proxy.example/api/feed?[redacted]',
    );
    expect(urlForLog(`https://proxy.example/api/feed?${'a1b2'.repeat(10)}=1`)).toBe(
      'https://proxy.example/api/feed?[redacted]',
    );
  });

  it('redacts a path segment that is a secret: after a segment naming one, or a generated token', () => {
    const shapes: Array<[string, string]> = [
      // A proxy that takes the token in the path, after a segment that says so (any length, any case).
      ['https://proxy.example/token/q-s3cret-77/api/feed', 'https://proxy.example/token/[redacted]/api/feed'],
      ['https://proxy.example/t/q-s3cret-77/feed?since=5', 'https://proxy.example/t/[redacted]/feed?since=[redacted]'],
      ['https://proxy.example/Key/office/api/feed', 'https://proxy.example/Key/[redacted]/api/feed'],
      // Generated tokens anywhere: hex, a UUID, base64url, base64 with its '/' escaped.
      [
        'https://proxy.example/feeds/9f8a7c6e5d4b3a2f1e0d9c8b7a6f5e4d/api/feed',
        'https://proxy.example/feeds/[redacted]/api/feed',
      ],
      ['https://proxy.example/123e4567-e89b-12d3-a456-426614174000/feed', 'https://proxy.example/[redacted]/feed'],
      ['https://hooks.example/s/AbCdEf12gHiJkL34mN', 'https://hooks.example/s/[redacted]'],
      ['https://proxy.example/x/R2l2ZU1lQS%2FUb2tlbjEyMw%3D%3D/feed', 'https://proxy.example/x/[redacted]/feed'],
    ];
    for (const [url, logged] of shapes) expect(urlForLog(url), url).toBe(logged);
  });

  it('keeps ordinary paths: names, dated names, words and numbers', () => {
    for (const url of [
      'https://crocetta.friend.example/api/feed',
      'https://friend.example/crocetta/feed.json',
      'https://friend.example/uffici/studio-rossi-2026/feed',
      'https://friend.example/Telemarketing_Segnalazioni_2026/feed-v2-2026-12-05.json',
      'https://friend.example/feeds/20261205123456789',
      'https://friend.example/crocetta-shared-feed-v2/',
      // Words of hex letters beside a date: no run mixes letters and digits.
      'https://friend.example/add-feed-2026-12-05/feed-2026-12-05-ab.json',
      'https://friend.example/feeds/decade-feed-2026-12-05',
    ]) {
      expect(urlForLog(url), url).toBe(url);
    }
  });

  it('says a text that is no URL is none, without quoting it', () => {
    expect(urlForLog('s3cret not a url')).toBe('[not a URL]');
  });
});
