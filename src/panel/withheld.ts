/**
 * Withheld callers as the office sees them. A caller that asked the network not to show its number (Privacy: id,
 * RFC 3323/3325; in Italy CLIR is the caller's right) is still screened by the number the carrier asserts
 * (P-Asserted-Identity): marks, the repeat rule and bursts catch a call centre that hides its number. But the office
 * is not shown those digits: a caller the register knows only from withheld attempts (no attempt of it with its
 * number shown) appears in the panel, its CSV and the JSON API as `hidden:<token>`, read "Numero nascosto · A3F9"
 * (`A3F9`: the token's first two bytes), the same token for the same number on every page and every day, so the
 * office sees that one hidden caller rang 12 times and can mark it from its page.
 *
 * The token is the number encrypted under a key of this register (kept in its settings, random on first use), SIV
 * style: its IV is an HMAC of the number (the same number, the same token) and the panel alone can read it back
 * (`resolve`), to mark, list or classify the caller. A plain hash would not do: Italy's numbers are few enough to
 * hash them all.
 *
 * Withholding is a choice made call by call (CLIR), so it is kept call by call: a withheld attempt is always shown by
 * its caller's token, even when the same number also called with its number shown (that number's shown calls are
 * shown by its number, its withheld ones by its token, and neither page lists the other's calls); a search by digits
 * finds no withheld attempt, and the number's page or API asked by its digits shows only its shown calls, or, for a
 * number known only from withheld calls, what a number never seen shows (no oracle for someone who already has the
 * digits: session 38's register found the hidden caller's rows by them, and `/numbers/<digits>` led to its page).
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { Dossier } from '../dossier/load.js';
import type { DossierAttempt } from '../dossier/rules.js';
import type { Attempt } from '../store/register/types.js';
import { storedKey, type SecretStore } from './auth.js';
import { hiddenReasons } from './withheld-reasons.js';

/**
 * What the register's `by` of a mark made on a withheld caller's page (by its token) ends with (`panel-hidden`,
 * `api-hidden`): its number's page asked by its digits does not say it (no oracle), one made by the digits it does.
 */
export const HIDDEN_BY = '-hidden';

/** What a withheld caller's key starts with in the panel's links, forms and JSON. */
export const HIDDEN_PREFIX = 'hidden:';

const IV_BYTES = 16;
/** A caller key is at most `raw:` and 64 characters (UTF-8: at most 4 bytes each). */
const MAX_KEY_BYTES = 4 + 64 * 4;

/** The four hex digits a person reads for a hidden caller's token (`A3F9`); null when `value` is no token. */
export function hiddenTag(value: string): string | null {
  if (!value.startsWith(HIDDEN_PREFIX)) return null;
  const head = Buffer.from(value.slice(HIDDEN_PREFIX.length, HIDDEN_PREFIX.length + 4), 'base64url');
  return head.length >= 2 ? head.subarray(0, 2).toString('hex').toUpperCase() : null;
}

/**
 * The withheld caller's name a search names, as the register shows it: its four hex digits (`A8EF`), alone or after
 * its words in either language (`Numero nascosto · A8EF`, `withheld number a8ef`), upper case; null for other text.
 */
export function searchedTag(text: string): string | null {
  const m = /^(?:(?:numero\s+)?nascosto|withheld(?:\s+number)?)?\s*[·:-]?\s*([0-9a-f]{4})$/iu.exec(text.trim());
  return m?.[1] === undefined ? null : m[1].toUpperCase();
}

/** Tokens of withheld callers: the same number, the same token; only this key reads the number back. */
export class WithheldNames {
  private readonly macKey: Buffer;
  private readonly encKey: Buffer;

  constructor(key: Buffer) {
    this.macKey = createHmac('sha256', key).update('crocetta withheld mac').digest();
    this.encKey = createHmac('sha256', key).update('crocetta withheld enc').digest();
  }

  private iv(callerKey: string): Buffer {
    return createHmac('sha256', this.macKey).update(callerKey, 'utf8').digest().subarray(0, IV_BYTES);
  }

  /** The four hex digits its token is read by (`hiddenTag(token(callerKey))`), without encrypting it. */
  tag(callerKey: string): string {
    return this.iv(callerKey).subarray(0, 2).toString('hex').toUpperCase();
  }

  /** `hidden:<base64url of IV and the encrypted key>`. */
  token(callerKey: string): string {
    const iv = this.iv(callerKey);
    const cipher = createCipheriv('aes-256-ctr', this.encKey, iv);
    const body = Buffer.concat([cipher.update(callerKey, 'utf8'), cipher.final()]);
    return HIDDEN_PREFIX + Buffer.concat([iv, body]).toString('base64url');
  }

  /** The caller key behind a token of this register; null for anything else (another register's, altered). */
  resolve(token: string): string | null {
    if (!token.startsWith(HIDDEN_PREFIX)) return null;
    const text = token.slice(HIDDEN_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.length <= IV_BYTES || bytes.length > IV_BYTES + MAX_KEY_BYTES) return null;
    const iv = bytes.subarray(0, IV_BYTES);
    const decipher = createDecipheriv('aes-256-ctr', this.encKey, iv);
    const key = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES)), decipher.final()]).toString('utf8');
    return timingSafeEqual(this.iv(key), iv) ? key : null;
  }
}

const WITHHELD_KEY_KEY = 'panel.withheldKey';

/** The key of this register's withheld callers' tokens: random on first start, then kept (stable pseudonyms). */
export function withheldKey(store: SecretStore): Promise<Buffer> {
  return storedKey(store, WITHHELD_KEY_KEY);
}

/**
 * The panel's view of withheld callers: which caller keys to show as tokens, and the caller key behind a token.
 * `names` null: the operator chose to see withheld callers' numbers (`panel.showWithheldNumbers`), nothing is hidden.
 */
export class WithheldCallers {
  constructor(
    private readonly names: WithheldNames | null,
    /** Of these caller keys, the ones the register knows only from withheld attempts. */
    private readonly onlyWithheld: (keys: readonly string[]) => Promise<Set<string>>,
  ) {}

  /** Whether withheld callers are kept from the office (false: the operator chose to see their numbers). */
  get hides(): boolean {
    return this.names !== null;
  }

  /** Nothing hidden (tests, the operator's choice). */
  static shown(): WithheldCallers {
    return new WithheldCallers(null, () => Promise.resolve(new Set()));
  }

  /** The caller key a URL or form names by its token; null when `param` is no token of this register. */
  resolve(param: string): string | null {
    return this.names?.resolve(param) ?? null;
  }

  /** Of these caller keys, each one to show as a token, with its token (the others are shown as they are). */
  async hidden(keys: Iterable<string | null>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const names = this.names;
    if (names === null) return out;
    const distinct = [...new Set([...keys].filter((k): k is string => k !== null))];
    if (distinct.length === 0) return out;
    for (const key of await this.onlyWithheld(distinct)) out.set(key, names.token(key));
    return out;
  }

  /**
   * Of the callers of withheld attempts (`keys`), those whose token the register reads as `tag` (`A8EF`): a search by
   * the name the register shows finds them. None when nothing is hidden (no such name is shown). Not an oracle: the
   * tag is the key's (HMAC under this register's key), so the digits do not give it; it finds what the rows show.
   */
  withTag(tag: string, keys: readonly string[]): string[] {
    const names = this.names;
    return names === null ? [] : keys.filter((k) => names.tag(k) === tag);
  }

  /** Whether this one caller key is shown as a token, and its token. */
  async tokenOf(key: string): Promise<string | null> {
    return (await this.hidden([key])).get(key) ?? null;
  }

  /** The token of each caller of a withheld attempt among `rows` (by caller key); none when nothing is hidden. */
  rowTokens(rows: readonly Attempt[]): Map<string, string> {
    const out = new Map<string, string>();
    const names = this.names;
    if (names === null) return out;
    for (const a of rows) {
      if (a.withheld && a.callerKey !== null && !out.has(a.callerKey)) out.set(a.callerKey, names.token(a.callerKey));
    }
    return out;
  }

  /**
   * Withheld attempts with their caller's number replaced by its token (no E.164, no number as received), without
   * its display name (the asserted identity's, withheld with it: "Acme Energia" <sip:+39…>), with their reasons
   * without its digits or name (withheld-reasons.ts) and without a text message's text (it may sign with them).
   */
  static masked(rows: readonly Attempt[], tokens: ReadonlyMap<string, string>): Attempt[] {
    if (tokens.size === 0) return [...rows];
    return rows.map((a) => {
      const token = !a.withheld || a.callerKey === null ? undefined : tokens.get(a.callerKey);
      return token === undefined
        ? a
        : {
            ...a,
            callerKey: token,
            callerE164: null,
            callerRaw: null,
            callerName: null,
            reasons: hiddenReasons(a.reasons),
            // A text message's text, when kept: it may carry its sender's own number or name.
            messageText: null,
          };
    });
  }

  /** Ranked callers (dashboard, rankings) with a hidden caller's key replaced by its token. */
  async maskKeys<T extends { callerKey: string }>(rows: readonly T[]): Promise<T[]> {
    const hidden = await this.hidden(rows.map((r) => r.callerKey));
    return rows.map((r) => {
      const token = hidden.get(r.callerKey);
      return token === undefined ? r : { ...r, callerKey: token };
    });
  }

  /** A dossier with its hidden callers named by their tokens: its subject, the numbers it covers, its breaches. */
  async maskDossier(d: Dossier): Promise<Dossier> {
    const keys = d.numbers.map((n) => n.callerKey);
    if (d.subject.kind === 'number') keys.push(d.subject.callerKey);
    for (const b of d.breaches) keys.push(b.attempt.callerKey, ...b.evidence.map((a) => a.callerKey));
    const hidden = await this.hidden(keys);
    if (hidden.size === 0) return d;
    const name = (key: string) => hidden.get(key) ?? key;
    const attempt = (a: DossierAttempt) => ({ ...a, callerKey: name(a.callerKey) });
    return {
      ...d,
      subject: d.subject.kind === 'number' ? { kind: 'number', callerKey: name(d.subject.callerKey) } : d.subject,
      numbers: d.numbers.map((n) => ({ ...n, callerKey: name(n.callerKey) })),
      breaches: d.breaches.map((b) => ({ ...b, attempt: attempt(b.attempt), evidence: b.evidence.map(attempt) })),
    };
  }

  /** `rows` with each withheld attempt's caller named by its token (`masked`). */
  mask(rows: readonly Attempt[]): Attempt[] {
    return WithheldCallers.masked(rows, this.rowTokens(rows));
  }
}
