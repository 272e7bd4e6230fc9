/** The breach rules from the configuration: `dossier.*`, with the business's time zone for the RPO's days. */
import type { Config } from '../config/schema.js';
import type { BreachRulesConfig } from './rules.js';

export function dossierRules(config: Pick<Config, 'dossier' | 'timeZone'>): BreachRulesConfig {
  const { fr, it } = config.dossier;
  return {
    fr: { enabled: fr.enabled, callerPrefixes: [...fr.callerPrefixes], timeZone: fr.timeZone, holidays: fr.holidays },
    it: {
      enabled: it.enabled,
      rpoRegisteredOn: it.rpoRegisteredOn,
      rpoGraceDays: it.rpoGraceDays,
      rpoNumbers: [...it.rpoNumbers],
      surveyCategories: [...it.surveyCategories],
      timeZone: config.timeZone,
    },
  };
}
