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

  it('says a text that is no URL is none, without quoting it', () => {
    expect(urlForLog('s3cret not a url')).toBe('[not a URL]');
  });
});
