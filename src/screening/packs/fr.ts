import type { PackEntry, PackSetting } from './pack-entry.js';

/**
 * France.
 *
 * ARCEP décision n° 2022-1583 du 1er septembre 2022 (modifying the plan national de numérotation), in force from
 * 1 January 2023: automated calling and messaging systems ("systèmes automatisés d'appel et d'envoi de messages")
 * must use numbers from these ranges:
 *   metropolitan France  0162 0163 0270 0271 0377 0378 0424 0425 0568 0569 0948 0949
 *   overseas             09475 09476 09477 09478 09479
 * In E.164 the national 0 is dropped: 0162 12 34 56 is +33162123456, 09475 12345 is +339475...
 *
 * NOT included on purpose: 0937, 0938, 0939, which the same decision gives to the technical platforms of delivery
 * and ride-hailing services ("plateformes techniques": a courier or a driver calling the customer). Those calls
 * are wanted; do not treat them as telemarketing.
 *
 * (Décret 2022-1313 on telemarketing hours and attempt limits is about behaviour, not numbers; the repeat rule
 * covers that part.)
 */
const METROPOLITAN = ['0162', '0163', '0270', '0271', '0377', '0378', '0424', '0425', '0568', '0569', '0948', '0949'];
const OVERSEAS = ['09475', '09476', '09477', '09478', '09479'];

export const FR_PACK: readonly PackEntry<PackSetting<'FR'>>[] = Object.freeze(
  [...METROPOLITAN, ...OVERSEAS].map((national): PackEntry<PackSetting<'FR'>> => ({
    e164Prefix: `+33${national.slice(1)}`,
    nationalPrefix: national,
    setting: 'automated',
    code: 'automated-call-prefix',
    describe: 'ARCEP automated-calling range',
  })),
);
