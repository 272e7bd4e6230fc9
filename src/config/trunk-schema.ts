import { isIP } from 'node:net';
import { z } from 'zod';
import { hostPortProblem } from '../trunk/host-port.js';
import { contactUsers, parseRegistrar, registrarProblem, type RegistrarAddress } from '../trunk/settings.js';

/**
 * `trunk:`: crocetta registers to the carrier (a registration trunk). Off while `registrar` is empty; every other
 * key is checked only when it is on, so the shipped defaults stay valid. Defaults and comments: config/default.yaml.
 */

/** `10.0.0.1`, `2001:db8::1`, `203.0.113.0/24`, `2001:db8::/32`. */
export function isAddressOrCidr(text: string): boolean {
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** A SIP URI without a user part. */
const REGISTRAR_URI = /^sips?:[^\s<>"@]+$/i;

/**
 * A `host[:port]` setting, read as the trunk reads it (readHostPort: a name or an address, an IPv6 one in brackets,
 * a port from 1 to 65535): refused with `expected`, the right form, and what is wrong with this one.
 */
function hostPortSetting(expected: string) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = hostPortProblem(value);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `${expected}; here ${problem}` });
    });
}

/**
 * The registrar URI's host and port (up to its parameters) are read as hostPortSetting's: unbracketed,
 * `sip:2001:db8::1` was read as the host `2001` and registered to a host that is not there. A URI the pattern
 * refuses is said once, by the pattern.
 */
const registrarUri = z
  .string()
  .trim()
  .regex(
    REGISTRAR_URI,
    'expected the registrar as a SIP URI without a user part, such as sip:sip.carrier.example or sip:127.0.0.1:5090',
  )
  .superRefine((uri, ctx) => {
    const problem = REGISTRAR_URI.test(uri) ? registrarProblem(uri) : null;
    if (problem !== null)
      ctx.addIssue({
        code: 'custom',
        message: `expected the registrar's host as a name or an address with an optional port from 1 to 65535; an IPv6 address in brackets, such as sip:[2001:db8::1]:5060; here ${problem}`,
      });
  });

/** Where outbound calls go: a SIP URI (its user part, if any, is replaced by the dialled number). */
const outboundUri = z
  .string()
  .trim()
  .regex(/^sips?:[^\s<>"]+$/i, 'expected a SIP URI such as sip:proxy.carrier.example or sip:198.51.100.9:5060');

const userName = z
  .string()
  .trim()
  .max(128)
  .regex(/^[^\s@:<>";]*$/, 'expected a SIP user name (no spaces, @, :, <, >, ", ;)');
const authUserName = z
  .string()
  .trim()
  .max(128)
  .regex(/^[^\s"]*$/, 'expected a user name without spaces or quotes');
const domain = z.union([z.literal(''), hostPortSetting('expected a host name such as sip.carrier.example')]);
/** The registration's lifetime asked of the registrar, in seconds (the message says the unit: `TRUNK_EXPIRES=10`). */
const expires = z
  .number()
  .int({ error: 'expected a whole number of seconds' })
  .min(30, { error: "expected at least 30 seconds (the registration's lifetime, in seconds: 30 to 86400)" })
  .max(86_400, { error: "expected at most 86400 seconds (one day; the registration's lifetime, in seconds)" });
/** The account's own phone number, as the register and the PBX should see it; '' = read from the call. */
const accountNumber = z.union([
  z.literal(''),
  z
    .string()
    .trim()
    .regex(
      /^\+?\d{3,20}$/,
      'expected the phone number of this account, digits with an optional leading + (0212345678)',
    ),
]);

const contactHost = z.union([
  z.literal(''),
  hostPortSetting(
    'expected an address or host name with an optional port from 1 to 65535, such as 198.51.100.7 or 198.51.100.7:5062; an IPv6 address in brackets, such as [2001:db8::7]:5062',
  ),
]);
const inboundFrom = z.array(
  z.string().trim().refine(isAddressOrCidr, 'expected an IP address or a CIDR such as 203.0.113.0/24'),
);

/**
 * Further accounts, one per number as Italian business lines have them: at the same carrier (trunk.registrar), or
 * each at its own (`registrar`: a second line with another carrier), with that carrier's domain, Contact host and
 * addresses.
 */
const accountSchema = z
  .object({
    /** Required, as is the password: checked below with a message that says so. */
    username: userName.default(''),
    password: z.string().max(256).default(''),
    authUsername: authUserName.default(''),
    number: accountNumber.default(''),
    /** '' = trunk.registrar: the same carrier as the first account. */
    registrar: z.union([z.literal(''), registrarUri]).default(''),
    /** '' = trunk.domain at trunk.registrar, else this account's registrar's host. */
    domain: domain.default(''),
    /** Absent = trunk.expires. */
    expires: expires.optional(),
    /** '' = trunk.contactHost. */
    contactHost: contactHost.default(''),
    /** Absent = trunk.inboundFrom (required with its own registrar while trunk.inboundFrom is set). */
    inboundFrom: inboundFrom.optional(),
    /**
     * Where this account's outbound calls go, the dialled number as user (its carrier's outbound proxy, as
     * pbx.outbound.trunkUri is the first carrier's); '' = pbx.outbound.trunkUri at the same carrier, else the
     * registrar.
     */
    trunkUri: z.union([z.literal(''), outboundUri]).default(''),
  })
  .strict();

export type TrunkAccountConfig = z.infer<typeof accountSchema>;

/** At most this many accounts besides the first (TRUNK_2_* … TRUNK_4_* set the first three from the environment). */
export const MAX_TRUNK_ACCOUNTS = 30;

export const trunkSchema = z
  .object({
    registrar: z.union([z.literal(''), registrarUri]),
    username: userName,
    password: z.string().max(256),
    authUsername: authUserName,
    domain,
    expires,
    /** The first account's own number (TRUNK_NUMBER); '' = read from P-Called-Party-ID, else To. */
    number: accountNumber.default(''),
    /** Further accounts, each registering on its own (trunk.accounts, TRUNK_2_* … TRUNK_4_*). */
    accounts: z.array(accountSchema).max(MAX_TRUNK_ACCOUNTS).default([]),
    contactHost,
    inboundFrom,
    keepaliveSeconds: z.number().int().min(0).max(3600),
    retry: z
      .object({ minSeconds: z.number().min(2).max(600), maxSeconds: z.number().min(2).max(3600) })
      .strict()
      .refine((r) => r.minSeconds <= r.maxSeconds, 'minSeconds must not be above maxSeconds'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.registrar === '') {
      if (t.accounts.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['accounts'],
          message:
            'trunk.accounts needs trunk.registrar (TRUNK_REGISTRAR) and the first account (TRUNK_USERNAME, TRUNK_PASSWORD): the accounts are further ones, at that registrar unless they name their own',
        });
      return;
    }
    duplicateAccounts(t, ctx);
    if (t.username === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'required when trunk.registrar (TRUNK_REGISTRAR) is set: the account user name the carrier gave you',
      });
    }
    t.accounts.forEach((a, i) => otherCarrier(t, a, i, ctx));
  });

/** Where a registrar URI points (`sip:Host;transport=tcp` → `host:5060`), to compare two of them. */
function registrarPlace(uri: string): string {
  let registrar: RegistrarAddress;
  try {
    registrar = parseRegistrar(uri);
  } catch {
    return uri;
  }
  const port = registrar.port ?? (registrar.scheme === 'sips' ? 5061 : 5060);
  return `${registrar.host.toLowerCase()}:${port}`;
}

/**
 * An account at another carrier (its own registrar) must say where that carrier's calls come from when the first
 * carrier's are restricted (trunk.inboundFrom): the first carrier's addresses would refuse every call of the other.
 * And it must be another carrier indeed, not the first's registrar written another way.
 */
function otherCarrier(
  t: { registrar: string; inboundFrom: readonly string[] },
  a: TrunkAccountConfig,
  i: number,
  ctx: z.RefinementCtx,
): void {
  if (a.registrar === '' || a.registrar === t.registrar) return;
  if (t.inboundFrom.length > 0 && a.inboundFrom === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['accounts', i, 'inboundFrom'],
      message: `required: this account registers at another carrier (${a.registrar}) while trunk.inboundFrom (TRUNK_INBOUND_FROM) lists the first carrier's addresses only, so every call of this one would get 403; list its SBCs' addresses or CIDRs (0.0.0.0/0 = from anyone)`,
    });
  if (registrarPlace(a.registrar) === registrarPlace(t.registrar))
    ctx.addIssue({
      code: 'custom',
      path: ['accounts', i, 'registrar'],
      message: `${a.registrar} is trunk.registrar (${t.registrar}) written otherwise: leave it empty for an account at the same carrier, or give the other carrier's registrar`,
    });
}

/**
 * An account without user name or password; one user name twice at one carrier (the same account twice: its calls
 * could not be told apart), or one number twice (the PBX's calls from it need one line to go out on; a line that gets
 * the same number's calls through a backup carrier leaves its number empty, the message says so). The same user name
 * at two carriers is fine: the later account's Contact user becomes `<user name>-<line>` (trunk/settings.ts), which
 * must then be no other account's user name.
 */
function duplicateAccounts(
  t: { registrar: string; username: string; number: string; accounts: readonly TrunkAccountConfig[] },
  ctx: z.RefinementCtx,
): void {
  const carrierOf = (registrar: string): string => registrarPlace(registrar === '' ? t.registrar : registrar);
  const users = new Map<string, Array<{ key: string; carrier: string }>>([
    [t.username, [{ key: 'trunk.username', carrier: carrierOf('') }]],
  ]);
  const numbers = new Map<string, string>(t.number === '' ? [] : [[t.number, 'trunk.number']]);
  /** Each account's Contact user (trunk/settings.ts), by its line: 0 is `trunk:`. */
  const contactUser = contactUsers([t.username, ...t.accounts.map((a) => a.username)]);
  /** Each Contact user taken, and the key of the account that registers it. */
  const taken = new Map<string, string>([[t.username, 'trunk.username']]);
  t.accounts.forEach((a, i) => {
    const here = `trunk.accounts.${i}`;
    if (a.username === '')
      ctx.addIssue({
        code: 'custom',
        path: ['accounts', i, 'username'],
        message: 'required: the user name the carrier gave for this account',
      });
    if (a.password === '')
      ctx.addIssue({
        code: 'custom',
        path: ['accounts', i, 'password'],
        message: 'required: the password the carrier gave for this account',
      });
    if (a.username === '') return;
    const carrier = carrierOf(a.registrar);
    const earlier = users.get(a.username) ?? [];
    const sameCarrier = earlier.find((e) => e.carrier === carrier);
    if (sameCarrier !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['accounts', i, 'username'],
        message: `user name ${a.username} is already ${sameCarrier.key}'s at the same carrier (${a.registrar === '' ? t.registrar : a.registrar}): that is one account, listed twice. Remove this entry; or, if this line is at another carrier, give it that carrier's registrar (${here}.registrar${i < 3 ? `, TRUNK_${i + 2}_REGISTRAR` : ''})`,
      });
    else {
      users.set(a.username, [...earlier, { key: `${here}.username`, carrier }]);
      // The same user name at another carrier: this account's calls come to its own Contact user.
      const contact = contactUser[i + 1] ?? a.username;
      const clash = taken.get(contact);
      if (clash !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'username'],
          message:
            earlier.length > 0
              ? `user name ${a.username} is already ${earlier[0]?.key ?? ''}'s at another carrier, so this account registers the Contact user ${contact}, which is ${clash}'s user name: the carriers' calls could not be told apart. List this account before ${clash}`
              : `user name ${a.username} is the Contact user of ${clash} (its user name is another account's at another carrier, so it registers ${a.username}): the carriers' calls could not be told apart. List this account before ${clash}`,
        });
      else taken.set(contact, `${here}.username`);
    }
    if (a.number === '') return;
    const number = numbers.get(a.number);
    if (number !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['accounts', i, 'number'],
        message: `number ${a.number} is already ${number}'s: the PBX's calls from a number go out on one line, so a number is one account's. If this line gets calls to the same number through another carrier (a backup route), leave its number empty (${here}.number${i < 3 ? `, TRUNK_${i + 2}_NUMBER` : ''}): the number called is then read from P-Called-Party-ID, else To, and the calls still count as this line's`,
      });
    else numbers.set(a.number, `${here}.number`);
  });
}

export type TrunkConfig = z.infer<typeof trunkSchema>;
