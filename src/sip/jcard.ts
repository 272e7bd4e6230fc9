/**
 * RFC 8688 §3: a 608 Rejected carries a Call-Info header field with `purpose=jwscard`, pointing to a jCard
 * (RFC 7095) that tells a wrongly blocked caller whom to contact. crocetta writes the jCard from the config; it
 * travels inline as a `data:` URI, or, when the operator publishes a signed one, as that https URI.
 */
export interface Reject608Contact {
  name: string;
  url: string;
  email: string;
  tel: string;
  /** https URI of a jCard the operator serves (signed); empty = inline. */
  callInfoUri: string;
}

type JcardProperty = [string, Record<string, string>, string, string];
export type Jcard = ['vcard', JcardProperty[]];

export function hasContact(c: Reject608Contact): boolean {
  return c.name !== '' || c.url !== '' || c.email !== '' || c.tel !== '' || c.callInfoUri !== '';
}

/** The jCard: version, fn (the name, or "crocetta call screening"), and whichever of url, email, tel are set. */
export function jcardOf(c: Reject608Contact): Jcard {
  const props: JcardProperty[] = [
    ['version', {}, 'text', '4.0'],
    ['fn', {}, 'text', c.name !== '' ? c.name : 'crocetta call screening'],
    ['kind', {}, 'text', 'org'],
  ];
  if (c.url !== '') props.push(['url', { type: 'work' }, 'uri', c.url]);
  if (c.email !== '') props.push(['email', { type: 'work' }, 'text', c.email]);
  if (c.tel !== '') props.push(['tel', { type: 'work' }, 'uri', `tel:${c.tel.replace(/[\s()-]/g, '')}`]);
  return ['vcard', props];
}

/** The Call-Info header value for a 608, or null when no contact is configured. */
export function callInfoFor608(c: Reject608Contact): string | null {
  if (!hasContact(c)) return null;
  if (c.callInfoUri !== '') return `<${c.callInfoUri}>;purpose=jwscard`;
  const data = Buffer.from(JSON.stringify(jcardOf(c)), 'utf8').toString('base64');
  return `<data:application/json;base64,${data}>;purpose=jwscard`;
}
