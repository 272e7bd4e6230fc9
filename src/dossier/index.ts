/**
 * The evidence dossier: per company or number, the call attempts that breach the configured country rules
 * (French décret 2022-1313, the Italian RPO and AGCOM prefixes), with their SIP Call-IDs and times.
 * `rules.ts` is pure; `load.ts` reads the register; `format.ts` writes JSON and CSV; the HTML is the panel's.
 */
export { dossierRules } from './config.js';
export { dossierCsv, dossierJson, dossierSubjectText, DOSSIER_CSV_HEADER } from './format.js';
export { buildDossier, type Dossier, type DossierNumber, type DossierQuery, type DossierSubject } from './load.js';
export { PeriodError, parsePeriod } from './period.js';
export {
  findBreaches,
  type Breach,
  type BreachRule,
  type BreachRulesConfig,
  type DossierAttempt,
  type DossierMark,
} from './rules.js';
export { isoWithOffset } from '../time/zoned-time.js';

import type { Clock } from '../screening/types.js';
import { buildDossier, type Dossier, type DossierQuery } from './load.js';
import type { BreachRulesConfig } from './rules.js';

/** What the panel needs: a dossier for a query, now, from the register file. */
export interface DossierService {
  readonly timeZone: string;
  build(query: DossierQuery): Promise<Dossier>;
}

export function dossierService(opts: {
  file: string;
  rules: BreachRulesConfig;
  timeZone: string;
  clock: Clock;
}): DossierService {
  return {
    timeZone: opts.timeZone,
    build: (query) =>
      buildDossier(opts.file, query, { rules: opts.rules, timeZone: opts.timeZone, now: opts.clock.now() }),
  };
}
