/**
 * Strings made of the characters the URI readers tell apart (schemes in both cases, the separators, escapes,
 * whitespace, non-ASCII), from a seeded generator: the same cases on every run.
 */
export function generatedUris(count: number): string[] {
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const starts = ['sip:', 'SIP:', 'sIp:', 'sips:', 'SIPS:', 'sipS:', 'tel:', 'TEL:', 'tEl:', 'sip', 'sips', 'tel'];
  const starts2 = [...starts, 'si:', 'sipx:', 'te:', 'telx:', 'http:', ':', '', ' sip:', '\tsip:', 'sip :'];
  // One character each, then the escapes.
  const alphabet = [..."059+@;?><%aZ#*.-_~!'()&=$,/: \t\n\u00a0é[`{\u0141", '%2', '%20', '%zz', '%3C'];
  const out: string[] = ['', 'sip:', 'tel:', 'sips:', 'sip:@', 'sip:a@b', 'tel:+390612345678;x=1', 'sip:192.0.2.1'];
  for (let i = 0; i < count; i++) {
    let s = starts2[next(starts2.length)]!;
    const len = next(12);
    for (let j = 0; j < len; j++) s += alphabet[next(alphabet.length)]!;
    if (next(4) === 0) s += ' ';
    out.push(s);
  }
  return out;
}
