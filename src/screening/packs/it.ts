import type { PackEntry, PackSetting } from './pack-entry.js';

/**
 * Italy.
 *
 * Legge 11 gennaio 2018 n. 5, art. 2, and the AGCOM numbering plan (delibera 8/15/CIR as amended by
 * delibera 156/18/CIR): call centres making unsolicited calls must present either a callable-back number or a
 * number from the dedicated prefixes
 *   - 0843: statistical surveys (ricerche statistiche)
 *   - 0844: telemarketing (market research, advertising, sales)
 * The prefixes are optional for call centres, so a call from elsewhere proves nothing; a call from these ranges
 * is the caller's own declaration of purpose.
 *
 * Italian fixed-line-style numbers keep their leading 0 in E.164: 0844 123456 is +390844123456.
 */
export const IT_PACK: readonly PackEntry<PackSetting<'IT'>>[] = Object.freeze([
  {
    e164Prefix: '+390843',
    nationalPrefix: '0843',
    setting: 'surveys',
    code: 'survey-prefix',
    describe: 'AGCOM statistical-survey prefix',
  },
  {
    e164Prefix: '+390844',
    nationalPrefix: '0844',
    setting: 'telemarketing',
    code: 'telemarketing-prefix',
    describe: 'AGCOM telemarketing prefix',
  },
]);
