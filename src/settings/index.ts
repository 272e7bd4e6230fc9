/** Runtime settings: what the panel changes without a restart, validated like the config file. */
export {
  LiveSettings,
  liveSettingsSchema,
  valuesOf,
  LIVE_SETTINGS_KEY,
  type LiveValues,
  type LiveSettingsStore,
} from './live-settings.js';
