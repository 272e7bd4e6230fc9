import { z } from 'zod';

/** `screening.learning` in config/default.yaml: behaviour, number blocks, safety nets, STIR/SHAKEN (issue 5). */

const weight = z.number().min(0).max(1);
const e164 = z.string().regex(/^\+[1-9]\d{0,14}$/, 'expected an E.164 number or prefix such as +390212345678');
const regex = z.string().refine((p) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}, 'expected a regular expression');
/** Opening hours of one day, `08:30-13:00`; `24:00` closes at midnight. */
export const openingInterval = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected opening hours such as 08:30-13:00')
  .refine((s) => {
    const [a, b] = s.split('-');
    return (a ?? '') < (b ?? '');
  }, 'the opening must come before the closing');

export const learningSchema = z
  .object({
    behaviour: z
      .object({
        halfLifeDays: z.number().min(0.1).max(3650),
        burst: z
          .object({
            enabled: z.boolean(),
            attempts: z.number().int().min(2).max(1000),
            windowMinutes: z.number().min(1).max(10_080),
            weight,
          })
          .strict(),
        sweep: z
          .object({
            enabled: z.boolean(),
            dids: z.number().int().min(2).max(1000),
            windowMinutes: z.number().min(1).max(10_080),
            weight,
          })
          .strict(),
        shortCalls: z.object({ enabled: z.boolean(), maxSeconds: z.number().min(1).max(600), weight }).strict(),
        offHours: z
          .object({
            enabled: z.boolean(),
            weight,
            days: z.array(z.number().int().min(1).max(7)),
            hours: z.array(openingInterval),
          })
          .strict(),
      })
      .strict(),
    blocks: z
      .object({
        enabled: z.boolean(),
        dropDigits: z.number().int().min(1).max(3),
        smallMin: z.number().int().min(1).max(1000),
        largeMin: z.number().int().min(1).max(10_000),
        largeSpread: z.number().int().min(1).max(10),
        largeContrib: z.number().int().min(1).max(1000),
        weight,
        maxWeight: weight,
        minDigits: z.number().int().min(3).max(15),
        mobile: z.enum(['same', 'large-only', 'off']),
        office: z
          .object({
            enabled: z.boolean(),
            smallMin: z.number().int().min(1).max(1000),
            largeMin: z.number().int().min(1).max(10_000),
            largeSpread: z.number().int().min(1).max(10),
            weight,
          })
          .strict(),
      })
      .strict(),
    safety: z
      .object({
        ownNumbers: z.array(e164),
        bypassCallers: z.array(regex),
        serviceNumbers: z.array(z.string().regex(/^\d{2,6}$/, 'expected a short number such as 112')),
        shortCodes: z.boolean(),
        displayNameAllow: z.array(regex),
        displayNameBlock: z.array(regex),
        displayNameBlockWeight: weight,
        persistentHumanSeconds: z.number().int().min(0).max(86_400),
        calledByUsDays: z.number().min(0).max(3650),
      })
      .strict(),
    shaken: z
      .object({ enabled: z.boolean(), failedWeight: weight, gatewayWeight: weight, fullDiscount: weight })
      .strict(),
    prefixes: z
      .object({
        enabled: z.boolean(),
        nuisanceHalfLifeDays: z.number().min(0.1).max(3650),
        legitHalfLifeDays: z.number().min(0.1).max(3650),
        credibility: z.number().min(0.51).max(0.999),
        minWeight: weight,
        maxWeight: weight,
        hintWeight: weight,
      })
      .strict(),
  })
  .strict();

export type LearningConfig = z.infer<typeof learningSchema>;
