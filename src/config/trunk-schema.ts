import { isIP } from 'node:net';
import { z } from 'zod';

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

/** A host name, IPv4 or bracketed IPv6 address, with an optional port. */
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::\d{1,5})?$/;

const registrarUri = z
  .string()
  .trim()
  .regex(
    /^sips?:[^\s<>"@]+$/i,
    'expected the registrar as a SIP URI without a user part, such as sip:sip.carrier.example or sip:127.0.0.1:5090',
  );

export const trunkSchema = z
  .object({
    registrar: z.union([z.literal(''), registrarUri]),
    username: z
      .string()
      .trim()
      .max(128)
      .regex(/^[^\s@:<>";]*$/, 'expected a SIP user name (no spaces, @, :, <, >, ", ;)'),
    password: z.string().max(256),
    authUsername: z
      .string()
      .trim()
      .max(128)
      .regex(/^[^\s"]*$/, 'expected a user name without spaces or quotes'),
    domain: z.union([
      z.literal(''),
      z.string().trim().regex(HOST_PORT, 'expected a host name such as sip.carrier.example'),
    ]),
    expires: z.number().int().min(30).max(86_400),
    contactHost: z.union([
      z.literal(''),
      z
        .string()
        .trim()
        .regex(
          HOST_PORT,
          'expected an address or host name, with an optional port, such as 198.51.100.7 or 198.51.100.7:5062',
        ),
    ]),
    inboundFrom: z.array(
      z.string().trim().refine(isAddressOrCidr, 'expected an IP address or a CIDR such as 203.0.113.0/24'),
    ),
    keepaliveSeconds: z.number().int().min(0).max(3600),
    retry: z
      .object({ minSeconds: z.number().min(2).max(600), maxSeconds: z.number().min(2).max(3600) })
      .strict()
      .refine((r) => r.minSeconds <= r.maxSeconds, 'minSeconds must not be above maxSeconds'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.registrar === '') return;
    if (t.username === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'required when trunk.registrar (TRUNK_REGISTRAR) is set: the account user name the carrier gave you',
      });
    }
    const port = /:(\d+)$/.exec(t.contactHost)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      ctx.addIssue({ code: 'custom', path: ['contactHost'], message: `port ${port} is out of range` });
    }
  });

export type TrunkConfig = z.infer<typeof trunkSchema>;
