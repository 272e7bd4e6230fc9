import { z } from 'zod';
import { normalizeNumber } from '../callerid/normalize-number.js';
import { learningSchema, openingInterval } from './learning-schema.js';
import { trunkSchema } from './trunk-schema.js';
import { durationMs } from './duration.js';
import { hostPortProblem } from '../trunk/host-port.js';
import { knownCategoryKey } from '../screening/categories.js';

/**
 * The shape of crocetta's configuration. Every key has its default and its comment in config/default.yaml;
 * this schema is what makes a wrong value fail at start, naming the key. Unknown keys are refused too: a typo
 * must not silently leave a default in place.
 */

const verdictRule = z.enum(['suspect', 'nuisance']);
const nonTrustedVerdict = z.enum(['unknown', 'suspect', 'nuisance']);

/** The key a category map (categoryMap) keeps a name under: a known category's key, else the name lower-cased. */
export function categoryMapKey(name: string): string {
  const trimmed = name.trim();
  return knownCategoryKey(trimmed) ?? trimmed.toLowerCase();
}

/**
 * A map keyed by a nuisance mark's category (`actions.byCategory`, `announcements.files.byCategory`). The register
 * keeps a known category as its key (`energy`; migration 11 brought older marks to it), so a known name in either
 * language (`energia`, `Energy`) becomes that key here, and two keys naming one category are refused. Any other
 * key is the office's own category, lower-cased as before.
 */
function categoryMap<T extends z.ZodType>(value: T) {
  return z.record(z.string().trim().min(1).max(60), value).transform((written, ctx) => {
    const out: Record<string, z.output<T>> = {};
    const keyFor = new Map<string, string>();
    for (const [name, v] of Object.entries(written)) {
      const key = categoryMapKey(name);
      const first = keyFor.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${first}" and "${name}" name the same category (${key}): keep one`,
        });
        continue;
      }
      keyFor.set(key, name);
      out[key] = v;
    }
    return out;
  });
}

/** An action as written in config or env: checked here, parsed by the policy module. */
export const ACTION_PATTERN =
  /^(allow|tag|reject|reject:[4-6]\d\d|announce-early|announce-answer|hangup|check|check:[1-9]\d?)$/;
const actionText = z
  .string()
  .trim()
  .regex(
    ACTION_PATTERN,
    'expected allow, tag, reject, reject:<400-699>, announce-early, announce-answer, hangup, check or check:<1-60>',
  )
  .refine(
    (a) => !a.startsWith('check:') || Number(a.slice(6)) <= 60,
    'expected the wait of check:<seconds> from 1 to 60',
  );

const SIP_URI = /^sips?:[^\s<>"]+$/i;

/**
 * What is wrong with a SIP URI's host and port (after its user part, before its parameters), read as the trunk reads
 * a hostport (a name or an address, an IPv6 one in brackets, a port from 1 to 65535), or null. The pattern alone took
 * `sip:192.168.1.10:5060x` or `sip:pbx:65536`, and crocetta started with a PBX address no call can reach.
 */
function sipUriHostProblem(uri: string): string | null {
  const rest = uri.slice(uri.indexOf(':') + 1);
  const hostport = rest.slice(rest.lastIndexOf('@') + 1).split(/[;?]/)[0] ?? '';
  return hostPortProblem(hostport);
}

const sipUri = z
  .string()
  .trim()
  .regex(SIP_URI, 'expected a SIP URI such as sip:192.168.1.10:5060')
  .superRefine((uri, ctx) => {
    const problem = SIP_URI.test(uri) ? sipUriHostProblem(uri) : null;
    if (problem !== null)
      ctx.addIssue({
        code: 'custom',
        message: `expected a SIP URI with a host name or an address and an optional port from 1 to 65535, such as sip:192.168.1.10:5060; here ${problem}`,
      });
  });

const port = z.number().int().min(1).max(65535);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name, checked against the runtime's zone data. */
const ianaTimeZone = (example: string) =>
  z.string().refine(isTimeZone, `expected an IANA time zone such as ${example}`);

function isDate(text: string): boolean {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** A closed day: `2026-12-24`, `12-24` (every year) or a range `2026-08-10..2026-08-21`. */
const closedDay = z
  .string()
  .trim()
  .refine((s) => {
    const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s);
    if (range) return isDate(range[1] ?? '') && isDate(range[2] ?? '') && (range[1] ?? '') <= (range[2] ?? '');
    if (/^\d{2}-\d{2}$/.test(s)) return isDate(`2024-${s}`);
    return /^\d{4}-\d{2}-\d{2}$/.test(s) && isDate(s);
  }, 'expected a day such as 2026-12-24, 12-24 (every year) or a range 2026-08-10..2026-08-21');

const weekHours = z.array(openingInterval);

/** The business's opening hours, for policies' `hours: open | closed`. */
const businessHours = z
  .object({
    /** Empty: the top-level timeZone. */
    timeZone: z.union([z.literal(''), ianaTimeZone('Europe/Rome')]),
    holidays: z.enum(['IT', 'FR', 'none']),
    week: z
      .object({
        mon: weekHours,
        tue: weekHours,
        wed: weekHours,
        thu: weekHours,
        fri: weekHours,
        sat: weekHours,
        sun: weekHours,
      })
      .strict(),
    closed: z.array(closedDay),
  })
  .strict();

/** One of our numbers in a policy, in any format (`02 1234 5678`, `+39...`); normalized like the called number. */
const policyDid = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()./-]{1,30}$/, 'expected one of our numbers, such as +39 02 1234 5678 or 0212345678');

/** One rule of `policies`: the first whose conditions all hold picks the action; then `actions` applies. */
export const policyRuleSchema = z
  .object({
    name: z.string().trim().max(60).optional(),
    dids: z.array(policyDid).min(1, 'expected at least one number, or no dids key (any of our numbers)').optional(),
    hours: z.enum(['open', 'closed']).optional(),
    verdicts: z
      .array(z.enum(['trusted', 'unknown', 'suspect', 'nuisance', 'withheld']))
      .min(1, 'expected at least one verdict, or no verdicts key (every verdict)')
      .optional(),
    action: actionText,
  })
  .strict();

/** The PBX registering to crocetta (crocetta as its provider); off while username is empty. */
const pbxRegister = z
  .object({
    username: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]*$/,
        "expected a SIP user name (letters, digits and -_.!~*'()&=+$,;?/), or empty",
      ),
    password: z.string(),
    realm: z
      .string()
      .trim()
      .regex(/^[^"\\\s]{1,64}$/, 'expected a realm such as crocetta (no spaces, quotes or backslashes)'),
    minExpires: z.number().int().min(1).max(86_400),
    maxExpires: z.number().int().min(1).max(86_400),
    maxContacts: z.number().int().min(1).max(100),
    requestUser: z.enum(['did', 'contact']),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.username !== '' && r.password.length < 8) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'expected a password of at least 8 characters when pbx.register.username is set',
      });
    }
    if (r.username === '' && r.password !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'expected the user name that goes with pbx.register.password',
      });
    }
    if (r.minExpires > r.maxExpires)
      ctx.addIssue({ code: 'custom', path: ['minExpires'], message: 'expected at most pbx.register.maxExpires' });
  });

/** A phone number as typed: digits and separators, `+` or not (read for defaultCountry: the config's check). */
const TYPED_NUMBER = /^\+?[0-9][0-9 .\-/()]{3,24}$/;

/** Where allowed calls go when nothing says otherwise (and no PBX registers to crocetta). */
export const DEFAULT_PBX_URI = 'sip:127.0.0.1:5080';

export const configSchema = z
  .object({
    defaultCountry: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, 'expected a two-letter ISO 3166 region such as IT')
      .transform((s) => s.toUpperCase()),
    timeZone: ianaTimeZone('Europe/Rome'),
    drachtio: z
      .object({
        host: z.string().min(1),
        port,
        secret: z.string().min(1),
        reconnectMaxDelayMs: z.number().int().min(100).max(600_000),
      })
      .strict(),
    pbx: z
      .object({
        // Empty: the registered PBX when pbx.register is on, else DEFAULT_PBX_URI (filled in by the loader).
        uri: z.union([z.literal(''), sipUri]),
        forwardMode: z.enum(['proxy', 'redirect']),
        recordRoute: z.boolean(),
        refusalCodes: z.array(z.number().int().min(300).max(699)),
        finalTimeout: z.string().refine((t) => {
          const ms = durationMs(t);
          return ms !== null && ms >= 1000 && ms <= 3_600_000;
        }, 'expected a duration between 1s and 60m, such as 200s or 3m'),
        /** RFC 3261 §13.3.1.4's 64·T1: how long the ACK of a 2xx to a relayed re-INVITE without SDP may take. */
        ackTimeout: z.string().refine((t) => {
          const ms = durationMs(t);
          return ms !== null && ms >= 100 && ms <= 600_000;
        }, 'expected a duration between 100ms and 10m, such as 32s'),
        outbound: z
          .object({
            trunkUri: z.union([z.literal(''), sipUri]),
            fromAddresses: z.array(z.union([z.ipv4(), z.ipv6()])),
            stripPrefix: z
              .string()
              .regex(/^[0-9*#]*$/, 'expected the digits the PBX puts before outside numbers, or empty'),
          })
          .strict(),
        register: pbxRegister,
      })
      .strict(),
    /** crocetta registers to the carrier (src/config/trunk-schema.ts); off while trunk.registrar is empty. */
    trunk: trunkSchema,
    store: z
      .object({
        file: z.string().min(1),
        /** Deprecated, ignored (the register commits at once when idle); accepted so that older files still load. */
        batchWindowMs: z.number().int().min(0).max(1000).optional(),
        commitWaitMs: z.number().int().min(0).max(10_000),
        durableBeforeAnswer: z.boolean(),
        verdictMemo: z.boolean(),
        synchronous: z.enum(['NORMAL', 'FULL']),
        spoolMaxWrites: z.number().int().min(10).max(10_000_000),
        shutdownFlushMs: z.number().int().min(0).max(600_000),
        lookbackDays: z.number().int().min(1).max(3650),
        aggregatesRebuildPauseMs: z.number().int().min(0).max(600_000),
      })
      .strict(),
    screening: z
      .object({
        packs: z
          .object({
            IT: z.object({ enabled: z.boolean(), telemarketing: verdictRule, surveys: verdictRule }).strict(),
            FR: z.object({ enabled: z.boolean(), automated: verdictRule }).strict(),
          })
          .strict(),
        prefixes: z.array(
          z
            .object({
              prefix: z.string().regex(/^\+\d{1,15}$/, 'expected an E.164 prefix such as +390844'),
              verdict: z.enum(['suspect', 'nuisance', 'trusted']),
              label: z.string().min(1).max(200),
            })
            .strict(),
        ),
        repeat: z
          .object({
            enabled: z.boolean(),
            attempts: z.number().int().min(1).max(100),
            withinDays: z.number().min(0.01).max(365),
          })
          .strict(),
        /** Numbers the business owns and never publishes: whoever calls one is nuisance (issue 14). */
        /** As the office writes them (`02 1234 5699`) or E.164 (`+390212345699`); read for defaultCountry. */
        trapDids: z.array(
          z.string().trim().regex(TYPED_NUMBER, 'expected a phone number such as 02 1234 5699 or +390212345699'),
        ),
        withheld: nonTrustedVerdict,
        unparsable: nonTrustedVerdict,
        thresholds: z
          .object({ suspect: z.number().min(0).max(1), nuisance: z.number().min(0).max(1) })
          .strict()
          .refine((t) => t.suspect <= t.nuisance, 'suspect must not be above nuisance'),
        /** Behaviour, number blocks, safety nets, STIR/SHAKEN (src/config/learning-schema.ts). */
        learning: learningSchema,
      })
      .strict(),
    businessHours,
    /** Actions per called number, opening hours and verdict (src/policy); the first matching rule wins. */
    policies: z.array(policyRuleSchema).max(100),
    actions: z
      .object({
        trusted: actionText,
        unknown: actionText,
        suspect: actionText,
        nuisance: actionText,
        withheld: z.union([z.literal(''), actionText]),
        /** A caller calling again after a refusal on its country's or operator range's evidence alone; '' = verdict's. */
        rangeRepeat: z.union([z.literal(''), actionText]),
        /** A nuisance mark's category may choose its own action (`energy: announce-early`): see categoryMap. */
        byCategory: categoryMap(actionText),
        /** Ring (180) this long before any refusal, announcement or hang-up (ms); 0 = answer at once. */
        ringDelayMs: z.number().int().min(0).max(30_000),
      })
      .strict(),
    announcements: z
      .object({
        language: z.enum(['it', 'en', 'both']),
        repeat: z.number().int().min(1).max(10),
        gapMs: z.number().int().min(0).max(5000),
        maxSeconds: z.number().min(1).max(120),
        maxConcurrent: z.number().int().min(0).max(10_000),
        files: z
          .object({
            default: z.string(),
            byVerdict: z.object({ suspect: z.string(), nuisance: z.string(), withheld: z.string() }).partial().strict(),
            byCategory: categoryMap(z.string()),
          })
          .strict(),
      })
      .strict(),
    /** The human check action `check` (src/sip/human-check.ts): the prompt, the digit, the wait, the memory of passes. */
    check: z
      .object({
        digit: z
          .string()
          .trim()
          .regex(/^[0-9*#]$/, 'expected one key: 0-9, * or #'),
        waitSeconds: z.number().int().min(1).max(60),
        rememberDays: z.number().min(0).max(3650),
        language: z.enum(['it', 'en', 'both']),
        /** A WAV prompt of your own (at most 10 s); empty = the built-in one in `language`. */
        file: z.string(),
      })
      .strict(),
    reject608: z
      .object({
        name: z.string().max(200),
        url: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
        email: z.union([z.literal(''), z.email()]),
        tel: z.union([
          z.literal(''),
          z.string().regex(/^\+?[0-9 ()-]{3,30}$/, 'expected a phone number such as +39 02 1234567'),
        ]),
        callInfoUri: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
      })
      .strict(),
    tag: z
      .object({
        header: z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a SIP header name'),
      })
      .strict(),
    /** SIP details of crocetta's own answers. */
    sip: z
      .object({
        /**
         * `X-Crocetta-Refusal: <status>` on every final refusal crocetta sends itself, for Kamailio in front of several
         * crocetta (docs/pbx/kamailio-front.cfg); off: no header names the product to the carrier. @defaultValue false
         */
        markRefusals: z.boolean(),
      })
      .strict(),
    messages: z.object({ screen: z.boolean(), storeText: z.boolean() }).strict(),
    media: z
      .object({
        address: z.string().min(1),
        /** Local address the RTP sockets bind to (0.0.0.0 = all). */
        bindAddress: z.string().min(1),
        rtpPorts: z
          .string()
          .regex(/^\d{1,5}-\d{1,5}$/, 'expected a range such as 20000-20999')
          .refine((r) => {
            const [lo, hi] = r.split('-').map(Number);
            return lo !== undefined && hi !== undefined && Math.min(lo, hi) >= 1024 && Math.max(lo, hi) <= 65535;
          }, 'expected low-high within 1024-65535')
          // Both ports within bounds but the higher first (21299-21200): said as such, not as out of bounds.
          .refine((r) => {
            const [lo, hi] = r.split('-').map(Number);
            return lo !== undefined && hi !== undefined && lo <= hi;
          }, 'expected the lower port first, then the higher (such as 20000-20999)')
          // One port (21000-21000) is in order but too few: an announcement takes an even port for its RTP, the odd
          // one above it being its RTCP's by convention (port-pool.ts); two ports in a row always hold an even one.
          .refine((r) => {
            const [lo, hi] = r.split('-').map(Number);
            return lo !== hi;
          }, 'a range needs two ports at least: an announcement takes an even port for its RTP and leaves the odd one above it to RTCP (such as 21000-21001)'),
        /** Nice value the RTP worker thread asks for (its thread only; null: the process's). */
        rtpThreadNice: z.number().int().min(-20).max(19).nullable(),
        /** SCHED_FIFO priority the RTP worker thread asks for (its thread only; null: the ordinary class). */
        rtpThreadRealtime: z.number().int().min(1).max(99).nullable(),
      })
      .strict(),
    feeds: z
      .object({
        token: z.string(),
        pullIntervalMinutes: z.number().min(0),
        maxBackoffMinutes: z.number().positive(),
        fullResyncHours: z.number().positive(),
        maxFeedBytes: z.number().int().positive(),
        maxEntries: z.number().int().positive(),
        maxAgeMinutes: z.number().positive(),
        timeoutMs: z.number().int().positive(),
        defaultWeight: z.number().min(0).max(1),
        consensus: z.number().int().min(1),
      })
      .strict(),
    panel: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(0).max(65535),
        apiToken: z.string(),
        /** Bearer token for `GET /metrics`; empty = public. @defaultValue "" */
        metricsToken: z.string(),
        adminPassword: z.string(),
        /**
         * Show withheld callers' numbers (the carrier's P-Asserted-Identity behind Privacy: id) in the panel, its
         * CSV and the JSON API; off: a caller known only from withheld calls is shown as "Numero nascosto · A3F9"
         * (src/panel/withheld.ts). @defaultValue false
         */
        showWithheldNumbers: z.boolean(),
      })
      .strict(),
    /** The evidence dossier's country rules (src/dossier/rules.ts): which calls breach FR and IT telemarketing law. */
    dossier: z
      .object({
        fr: z
          .object({
            enabled: z.boolean(),
            callerPrefixes: z.array(z.string().regex(/^\+\d{1,15}$/, 'expected an E.164 prefix such as +33')),
            timeZone: ianaTimeZone('Europe/Paris'),
            holidays: z.boolean(),
          })
          .strict(),
        it: z
          .object({
            enabled: z.boolean(),
            rpoRegisteredOn: z.union([z.literal(''), z.iso.date()]),
            rpoGraceDays: z.number().int().min(0).max(365),
            rpoNumbers: z.array(
              z.string().regex(/^\+\d{4,15}$/, 'expected one of our numbers in E.164, such as +390612345678'),
            ),
            /** A known category's name in either language is its key, as the register keeps it. */
            surveyCategories: z.array(
              z
                .string()
                .trim()
                .toLowerCase()
                .min(1)
                .max(60)
                .transform((c) => knownCategoryKey(c) ?? c),
            ),
          })
          .strict(),
      })
      .strict(),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
        maxBufferBytes: z
          .number()
          .int()
          .min(65_536)
          .max(1024 * 1024 * 1024),
      })
      .strict(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // A trap number in the national form is read for the office's country, as every other number setting is.
    c.screening.trapDids.forEach((did, i) => {
      if (!TYPED_NUMBER.test(did)) return; // said by its own pattern
      const n = normalizeNumber(did, c.defaultCountry);
      if (n.e164 === null || !n.valid)
        ctx.addIssue({
          code: 'custom',
          path: ['screening', 'trapDids', i],
          message: `expected a phone number such as 02 1234 5699 or +390212345699 (read for defaultCountry ${c.defaultCountry})`,
        });
    });
  });

export type Config = z.infer<typeof configSchema>;
