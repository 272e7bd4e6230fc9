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
import { configSchema, type Config } from '../config/schema.js';
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
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return saved;
  const current = valuesOf(config);
  return { businessHours: current.businessHours, policies: current.policies, ...saved };
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
   * version) is ignored and reported through `onInvalid`, and the config's values apply.
   */
  static async load(
    config: Config,
    store: LiveSettingsStore,
    onInvalid: (message: string) => void,
  ): Promise<LiveSettings> {
    const saved = await store.get(LIVE_SETTINGS_KEY);
    if (saved !== undefined) {
      const parsed = liveSettingsSchema.safeParse(completed(saved, config));
      if (parsed.success) return new LiveSettings(config, store, parsed.data, true);
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
