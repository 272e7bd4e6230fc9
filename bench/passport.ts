/**
 * An unsigned-but-shaped STIR/SHAKEN `Identity` header value (RFC 8224/8588) for generated calls: crocetta reads
 * the attestation and the orig/dest numbers without verifying the signature (v1), so the benches and the demo
 * need only the PASSporT's shape.
 */
export function shakenIdentity(attest: string, orig: string, dest: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'ES256', ppt: 'shaken', typ: 'passport' })}.${b64({ attest, orig: { tn: orig }, dest: { tn: [dest] }, iat: 0, origid: 'bench' })}.c2ln;info=<https://cert.example/c.pem>;alg=ES256;ppt=shaken`;
}
