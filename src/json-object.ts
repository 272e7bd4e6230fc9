/**
 * Whether a parsed value (JSON.parse, YAML) is an object of named values: not null, not an array. The one test for
 * it, for the config tree (src/config/loader.ts), saved settings (src/settings) and a PASSporT's payload
 * (src/callerid): no IO, so the pure core may import it.
 */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
