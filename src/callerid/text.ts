/**
 * Text hygiene for anything copied out of SIP headers: display names, number user parts, parameters.
 * Linear-time scans only (no backtracking regexes): these run on every call, on attacker-controlled input.
 */

/** Longest display name kept, in code points. */
export const MAX_DISPLAY_NAME = 128;
/** Longest raw number kept, in code points. */
export const MAX_RAW_NUMBER = 64;
/** Longest piece of header text looked at; the rest of a pathological header is ignored. */
export const MAX_HEADER_TEXT = 16_384;

/** C0/C1 controls and DEL: replaced by a space (so `Mario\r\nRossi` stays two words). */
function isControl(c: number): boolean {
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
}

/** Bidi embeddings/overrides/isolates/marks and zero-width characters: dropped. */
function isInvisible(c: number): boolean {
  return (
    (c >= 0x202a && c <= 0x202e) || // LRE RLE PDF LRO RLO
    (c >= 0x2066 && c <= 0x2069) || // LRI RLI FSI PDI
    c === 0x200e || // LRM
    c === 0x200f || // RLM
    c === 0x061c || // ALM
    (c >= 0x200b && c <= 0x200d) || // ZWSP ZWNJ ZWJ
    c === 0x2060 || // word joiner
    c === 0xfeff || // BOM / ZWNBSP
    c === 0x180e // Mongolian vowel separator (was zero-width)
  );
}

function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Printable ASCII with single inner spaces, within `max`: nothing to do. */
function isClean(s: string, max: number): boolean {
  if (s.length > max) return false;
  let prevSpace = true; // a leading space is not clean
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) {
      if (prevSpace) return false;
      prevSpace = true;
    } else if (c > 0x20 && c < 0x7f) prevSpace = false;
    else return false;
  }
  return !prevSpace || s.length === 0;
}

/**
 * Removes control, bidi and zero-width characters and lone surrogates, collapses runs of white space into one
 * space, trims, and caps the result at `max` code points (never splitting a surrogate pair).
 */
export function sanitizeText(input: string, max: number): string {
  if (isClean(input, max)) return input; // the common case: no copy
  const s = input.length > MAX_HEADER_TEXT ? input.slice(0, MAX_HEADER_TEXT) : input;
  let out = '';
  let count = 0;
  let pendingSpace = false;
  for (let i = 0; i < s.length && count < max; i++) {
    const c = s.charCodeAt(i);
    if (isControl(c) || isSpace(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (isInvisible(c)) continue;
    let ch: string;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) continue; // lone high surrogate
      ch = s.slice(i, i + 2);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      continue; // lone low surrogate
    } else {
      ch = s[i] ?? '';
    }
    if (pendingSpace) {
      if (count + 1 >= max) break;
      out += ' ';
      count++;
      pendingSpace = false;
    }
    out += ch;
    count++;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes `%XX` escapes (RFC 3261 `escaped`), leaving malformed ones as they are; never throws
 * (unlike decodeURIComponent). A run of escaped bytes is read as UTF-8 when valid, else as Latin-1.
 */
export function unescapeUri(s: string): string {
  if (!s.includes('%')) return s;
  let out = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const buf = Buffer.from(run);
    const utf8 = buf.toString('utf8');
    out += utf8.includes('\uFFFD') ? buf.toString('latin1') : utf8;
    run = [];
  };
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0x25 && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        run.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    flush();
    out += s[i] ?? '';
  }
  flush();
  return out;
}
