import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { isJsonObject } from '../json-object.js';
import { configSchema, DEFAULT_PBX_URI, type Config } from './schema.js';

/** A configuration problem, with the key (and file or variable) it is about. Thrown at start only. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The environment form of trunk.accounts' first entries: TRUNK_2_* is trunk.accounts.0, up to TRUNK_4_*; the
 * REGISTRAR, DOMAIN, CONTACT_HOST and INBOUND_FROM ones put that account at another carrier, URI (trunkUri) is where
 * its outbound calls go.
 */
const TRUNK_ACCOUNT_OVERRIDES = [2, 3, 4].flatMap((n) =>
  (
    [
      ['USERNAME', 'username', 'string'],
      ['PASSWORD', 'password', 'string'],
      ['AUTH_USERNAME', 'authUsername', 'string'],
      ['NUMBER', 'number', 'string'],
      ['REGISTRAR', 'registrar', 'string'],
      ['DOMAIN', 'domain', 'string'],
      ['EXPIRES', 'expires', 'number'],
      ['CONTACT_HOST', 'contactHost', 'string'],
      ['INBOUND_FROM', 'inboundFrom', 'list'],
      ['URI', 'trunkUri', 'string'],
    ] as const
  ).map(([name, key, type]) => ({ env: `TRUNK_${n}_${name}`, path: `trunk.accounts.${n - 2}.${key}`, type })),
);

/** Environment variables that override a config key; the contract in DESIGN.md. */
export const ENV_OVERRIDES: ReadonlyArray<{
  env: string;
  path: string;
  type: 'string' | 'number' | 'list' | 'numbers' | 'boolean';
}> = [
  { env: 'CROCETTA_DB', path: 'store.file', type: 'string' },
  { env: 'DRACHTIO_HOST', path: 'drachtio.host', type: 'string' },
  { env: 'DRACHTIO_PORT', path: 'drachtio.port', type: 'number' },
  { env: 'DRACHTIO_SECRET', path: 'drachtio.secret', type: 'string' },
  { env: 'PBX_URI', path: 'pbx.uri', type: 'string' },
  { env: 'FORWARD_MODE', path: 'pbx.forwardMode', type: 'string' },
  { env: 'TRUNK_URI', path: 'pbx.outbound.trunkUri', type: 'string' },
  { env: 'TRUNK_REGISTRAR', path: 'trunk.registrar', type: 'string' },
  { env: 'TRUNK_USERNAME', path: 'trunk.username', type: 'string' },
  { env: 'TRUNK_PASSWORD', path: 'trunk.password', type: 'string' },
  { env: 'TRUNK_AUTH_USERNAME', path: 'trunk.authUsername', type: 'string' },
  { env: 'TRUNK_DOMAIN', path: 'trunk.domain', type: 'string' },
  { env: 'TRUNK_EXPIRES', path: 'trunk.expires', type: 'number' },
  { env: 'TRUNK_CONTACT_HOST', path: 'trunk.contactHost', type: 'string' },
  { env: 'TRUNK_INBOUND_FROM', path: 'trunk.inboundFrom', type: 'list' },
  { env: 'TRUNK_NUMBER', path: 'trunk.number', type: 'string' },
  ...TRUNK_ACCOUNT_OVERRIDES,
  { env: 'TRAP_DIDS', path: 'screening.trapDids', type: 'numbers' },
  { env: 'PBX_REGISTER_USERNAME', path: 'pbx.register.username', type: 'string' },
  { env: 'PBX_REGISTER_PASSWORD', path: 'pbx.register.password', type: 'string' },
  { env: 'PANEL_HOST', path: 'panel.host', type: 'string' },
  { env: 'PANEL_PORT', path: 'panel.port', type: 'number' },
  { env: 'CROCETTA_API_TOKEN', path: 'panel.apiToken', type: 'string' },
  { env: 'CROCETTA_FEED_TOKEN', path: 'feeds.token', type: 'string' },
  { env: 'CROCETTA_METRICS_TOKEN', path: 'panel.metricsToken', type: 'string' },
  { env: 'ADMIN_PASSWORD', path: 'panel.adminPassword', type: 'string' },
  { env: 'SHOW_WITHHELD_NUMBERS', path: 'panel.showWithheldNumbers', type: 'boolean' },
  { env: 'DEFAULT_COUNTRY', path: 'defaultCountry', type: 'string' },
  { env: 'TIME_ZONE', path: 'timeZone', type: 'string' },
  { env: 'ACTION_NUISANCE', path: 'actions.nuisance', type: 'string' },
  { env: 'ACTION_SUSPECT', path: 'actions.suspect', type: 'string' },
  { env: 'ACTION_WITHHELD', path: 'actions.withheld', type: 'string' },
  { env: 'ACTION_RANGE_REPEAT', path: 'actions.rangeRepeat', type: 'string' },
  { env: 'MEDIA_ADDRESS', path: 'media.address', type: 'string' },
  { env: 'RTP_PORTS', path: 'media.rtpPorts', type: 'string' },
  { env: 'MARK_REFUSALS', path: 'sip.markRefusals', type: 'boolean' },
  { env: 'LOG_LEVEL', path: 'log.level', type: 'string' },
];

/** The words a boolean variable may say (any case): `MARK_REFUSALS=true`, `=on`, `=1`. */
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['on', true],
  ['yes', true],
  ['1', true],
  ['false', false],
  ['off', false],
  ['no', false],
  ['0', false],
]);

/** The project's root (where config/default.yaml lives), from src/config or dist/src/config. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(resolve(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new ConfigError('cannot find the crocetta installation folder (package.json)');
}

type Tree = Record<string, unknown>;

/** Overlay `over` on `base`: objects merge key by key, anything else (arrays included) replaces. */
export function overlay(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isJsonObject(current) && isJsonObject(value) ? overlay(current, value) : value;
  }
  return out;
}

function readYaml(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isJsonObject(doc)) throw new ConfigError(`config file ${file} must contain a mapping of settings`);
  return doc;
}

/** Sets `a.b.c` (a numeric key is a list's index: `trunk.accounts.0.password`), creating what is missing. */
function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  keys.slice(0, -1).forEach((key, i) => {
    const next = node[key];
    const listed = /^\d+$/.test(keys[i + 1] ?? '');
    if (listed ? !Array.isArray(next) : !isJsonObject(next)) node[key] = listed ? [] : {};
    node = node[key] as Tree;
  });
  node[keys[keys.length - 1] as string] = value;
}

/** TRUNK_3_* without TRUNK_2_* (nor the file's trunk.accounts.0): a gap the list cannot have. */
function accountGap(tree: Tree): string | null {
  const trunk = tree.trunk;
  const accounts = isJsonObject(trunk) ? trunk.accounts : undefined;
  if (!Array.isArray(accounts)) return null;
  for (let i = 0; i < accounts.length; i++) {
    if (accounts[i] === undefined)
      return `trunk.accounts.${i} (TRUNK_${i + 2}_USERNAME, TRUNK_${i + 2}_PASSWORD) is missing while a later account is set: number the accounts from TRUNK_2_ without gaps`;
  }
  return null;
}

/** Some key of the account `path` is in (`trunk.accounts.0.password`) came from the environment. */
function accountFromEnv(fromEnv: ReadonlyMap<string, string>, path: string): boolean {
  const account = /^trunk\.accounts\.\d+\./.exec(path)?.[0];
  return account !== undefined && [...fromEnv.keys()].some((p) => p.startsWith(account));
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults file; config/default.yaml of the installation when omitted. */
  defaultsFile?: string;
}

/**
 * Reads the defaults, overlays CROCETTA_CONFIG's file, applies the environment overrides and validates the
 * result. Throws ConfigError naming the key (and the variable, for environment values) on any problem.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  let tree = readYaml(opts.defaultsFile ?? resolve(projectRoot(), 'config/default.yaml'));
  const overlayFile = env.CROCETTA_CONFIG?.trim();
  if (overlayFile) tree = overlay(tree, readYaml(resolve(overlayFile)));

  const fromEnv = new Map<string, string>();
  for (const { env: name, path, type } of ENV_OVERRIDES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (type === 'number') {
      const n = Number(raw.trim());
      if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
        throw new ConfigError(`${name} (${path}): expected a whole number, got ${JSON.stringify(raw)}`);
      }
      value = n;
    } else if (type === 'boolean') {
      const b = BOOLEAN_WORDS.get(raw.trim().toLowerCase());
      if (b === undefined)
        throw new ConfigError(`${name} (${path}): expected true or false, got ${JSON.stringify(raw)}`);
      value = b;
    } else if (type === 'list') {
      // Comma- or space-separated: `203.0.113.10, 198.51.100.0/24`.
      value = raw.split(/[\s,]+/).filter((item) => item !== '');
    } else if (type === 'numbers') {
      // Phone numbers, comma-separated: a space is a number's own grouping (`06 1234 5699, 06 1234 5698`).
      value = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    }
    setPath(tree, path, value);
    fromEnv.set(path, name);
  }

  const gap = accountGap(tree);
  if (gap !== null) throw new ConfigError(`invalid configuration:\n  ${gap}`);
  const result = configSchema.safeParse(tree);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (path ? `${path}.${k}` : k)) : [];
      if (unknownKeys.length) return `unknown setting ${unknownKeys.join(', ')}`;
      // A list's item (`trunk.inboundFrom.1`) came from the list's variable.
      const envName = fromEnv.get(path) ?? fromEnv.get(issue.path.slice(0, -1).join('.'));
      if (envName) return `${path} (from ${envName}): ${issue.message}`;
      // A key missing from an account set from the environment: the variable to set.
      const missing = ENV_OVERRIDES.find((o) => o.path === path && accountFromEnv(fromEnv, path));
      return `${path || '(root)'}${missing ? ` (${missing.env})` : ''}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = result.data;
  // An empty pbx.uri means "the PBX that registers to crocetta"; without registration, the usual default.
  if (config.pbx.uri === '' && config.pbx.register.username === '') config.pbx.uri = DEFAULT_PBX_URI;
  if (config.store.lookbackDays < config.screening.repeat.withinDays) {
    throw new ConfigError(
      `store.lookbackDays (${config.store.lookbackDays}) must cover screening.repeat.withinDays (${config.screening.repeat.withinDays})`,
    );
  }
  return config;
}
