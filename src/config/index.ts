export { configSchema, type Config } from './schema.js';
export { loadConfig, ConfigError, ENV_OVERRIDES, projectRoot } from './loader.js';
