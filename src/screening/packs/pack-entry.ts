import type { CountryPackSettings } from '../rules.js';
import type { ReasonCode } from '../types.js';

/**
 * One numbering range a regulator reserves for a kind of call, as data.
 * `setting` names the field of the country's pack settings that gives the verdict (e.g. `telemarketing`).
 */
export interface PackEntry<S extends string = string> {
  /** E.164 prefix including `+`, matched against the caller's normalized number. */
  e164Prefix: string;
  /** The same range as people dial and read it nationally, used in the reason ("prefix 0844"). */
  nationalPrefix: string;
  setting: S;
  code: ReasonCode;
  /** The start of the reason text; the national prefix is appended: "AGCOM telemarketing prefix" + " 0844". */
  describe: string;
}

/** The verdict fields of one country's pack settings (`telemarketing`, `surveys`, ...). */
export type PackSetting<C extends keyof CountryPackSettings> = Exclude<keyof CountryPackSettings[C], 'enabled'>;
