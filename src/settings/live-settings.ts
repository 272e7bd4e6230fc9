/**
 * Settings the panel changes while crocetta runs: the action per verdict, the policies per called number and
 * opening hours (with the business hours they read), and the screening rules the office tunes (prefix rules and
 * allow-list, country packs, the repeat rule). They are validated by the same zod schema
 * as the config file, saved in the register's `settings` table, and overlaid on the config at the next start.
 *
 * The SIP path reads `policy` and `classify` as plain properties: an update swaps both objects at once, so the
 * next call uses the new settings and no call pays a query or a rebuild.
 */
import { z } from 'zod';
import { actionPolicy, screeningRules } from '../config/derive.js';
import { categoryMapKey, configSchema, type Config } from '../config/schema.js';
import { isJsonObject } from '../json-object.js';
import { createClassifier, type Classifier } from '../screening/classify.js';
import type { ActionPolicy } from '../screening/policy.js';

const screeningShape = configSchema.shape.screening.shape;

/** What the panel may change, validated exactly as in config/default.yaml. */
export const liveSettingsSchema = z
  .object({
    actions: configSchema.shape.actions,
    businessHours: configSchema.shape.businessHours,
    policies: configSchema.shape.policies,
    screening: z
      .object({ packs: screeningShape.packs, prefixes: screeningShape.prefixes, repeat: screeningShape.repeat })
      .strict(),
  })
  .strict();

export type LiveValues = z.infer<typeof liveSettingsSchema>;

/** Where the overlay is kept between starts (the register's settings table). */
export interface LiveSettingsStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export const LIVE_SETTINGS_KEY = 'live';

/** The values the config file and environment give (what "reset" goes back to). */
export function valuesOf(config: Config): LiveValues {
  const s = config.screening;
  return structuredClone({
    actions: config.actions,
    businessHours: config.businessHours,
    policies: config.policies,
    screening: { packs: s.packs, prefixes: s.prefixes, repeat: s.repeat },
  });
}

function withValues(config: Config, v: LiveValues): Config {
  return {
    ...config,
    actions: v.actions,
    businessHours: v.businessHours,
    policies: v.policies,
    screening: { ...config.screening, ...v.screening },
  };
}

/** Settings saved before a version that added keys: those keys come from the config, the rest stays as saved. */
function completed(saved: unknown, config: Config): unknown {
  if (!isJsonObject(saved)) return saved;
  const current = valuesOf(config);
  return { businessHours: current.businessHours, policies: current.policies, ...saved };
}

/**
 * A saved copy's `actions.byCategory` with one name per category. Saved before cd30685, when the map's keys were only
 * lower-cased, it may hold two names of one category (`energy` and `energia`, both in the config file then); the
 * schema refuses that, and every saved setting would be dropped until the panel saved them again. The value saved
 * under the category's key is kept (`energy`; else the first saved), as migration 11 brought the marks of both names
 * to the key; each name left out is told, for the log.
 */
function oneNamePerCategory(saved: unknown): { saved: unknown; leftOut: string[] } {
  const actions = isJsonObject(saved) ? saved['actions'] : undefined;
  const byCategory = isJsonObject(actions) ? actions['byCategory'] : undefined;
  if (!isJsonObject(saved) || !isJsonObject(actions) || !isJsonObject(byCategory)) return { saved, leftOut: [] };
  const names = new Map<string, string[]>();
  for (const name of Object.keys(byCategory)) {
    const key = categoryMapKey(name);
    names.set(key, [...(names.get(key) ?? []), name]);
  }
  const kept: Record<string, unknown> = {};
  const leftOut: string[] = [];
  const said = (name: string): string => `"${name}" (${String(byCategory[name])})`;
  for (const [key, all] of names) {
    const used = all.find((name) => name.trim() === key) ?? all[0] ?? key;
    kept[used] = byCategory[used];
    const others = all.filter((name) => name !== used);
    if (others.length > 0) {
      leftOut.push(
        `actions.byCategory: ${[used, ...others].map(said).join(' and ')} name the same category (${key}): ` +
          `"${used}" is used; save the settings in the panel to keep one`,
      );
    }
  }
  if (leftOut.length === 0) return { saved, leftOut };
  return { saved: { ...saved, actions: { ...actions, byCategory: kept } }, leftOut };
}

export class LiveSettings {
  private values: LiveValues;
  /** Read by the SIP handler for every call: a plain property. */
  policy: ActionPolicy;
  /** Read by the SIP handler for every call: a plain property. */
  classify: Classifier;
  private overlaid: boolean;

  private constructor(
    private readonly config: Config,
    private readonly store: LiveSettingsStore,
    values: LiveValues,
    overlaid: boolean,
  ) {
    this.values = values;
    this.overlaid = overlaid;
    const effective = withValues(config, values);
    this.policy = actionPolicy(effective);
    this.classify = createClassifier(screeningRules(effective));
  }

  /**
   * The config with the saved overlay on top. An overlay that no longer validates (e.g. written by another
   * version) is ignored and reported through `onInvalid`, and the config's values apply. One saved with two names
   * of one category applies with one of them (oneNamePerCategory), the other reported through `onLeftOut`.
   */
  static async load(
    config: Config,
    store: LiveSettingsStore,
    onInvalid: (message: string) => void,
    onLeftOut: (message: string) => void = () => undefined,
  ): Promise<LiveSettings> {
    const stored = await store.get(LIVE_SETTINGS_KEY);
    if (stored !== undefined) {
      const { saved, leftOut } = oneNamePerCategory(stored);
      const parsed = liveSettingsSchema.safeParse(completed(saved, config));
      if (parsed.success) {
        leftOut.forEach(onLeftOut);
        return new LiveSettings(config, store, parsed.data, true);
      }
      onInvalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    return new LiveSettings(config, store, valuesOf(config), false);
  }

  /** The values in force (a copy). */
  get current(): LiveValues {
    return structuredClone(this.values);
  }

  /** True when the panel's saved settings override the config file. */
  get isOverlaid(): boolean {
    return this.overlaid;
  }

  /** Validates, saves, then applies: the next call sees the new settings. Throws the ZodError when invalid. */
  async update(next: unknown): Promise<LiveValues> {
    const values = liveSettingsSchema.parse(next);
    const effective = withValues(this.config, values);
    const policy = actionPolicy(effective);
    const classify = createClassifier(screeningRules(effective));
    await this.store.set(LIVE_SETTINGS_KEY, values);
    this.values = values;
    this.policy = policy;
    this.classify = classify;
    this.overlaid = true;
    return this.current;
  }

  /** Drops the overlay: the config file's and environment's values apply again. */
  async reset(): Promise<LiveValues> {
    await this.store.delete(LIVE_SETTINGS_KEY);
    const values = valuesOf(this.config);
    const effective = withValues(this.config, values);
    this.policy = actionPolicy(effective);
    this.classify = createClassifier(screeningRules(effective));
    this.values = values;
    this.overlaid = false;
    return this.current;
  }
}
