import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ENV_OVERRIDES, loadConfig } from './config/loader.js';
import { createLogger, infoLine } from './log.js';

/** Key names that hold a credential, wherever they are in the config. */
const SECRET_KEY = /(token|password|secret)$/i;

/**
 * The config as an operator sets it: every credential the environment can set (DRACHTIO_SECRET, CROCETTA_*_TOKEN,
 * *_PASSWORD, the user names they go with), then every credential-named key still empty (one the YAML alone sets) given
 * a value of its own. Returns the config and every credential in it.
 */
function configWithSecrets() {
  const env: Record<string, string> = {
    TRUNK_REGISTRAR: 'sip:127.0.0.2:5060',
    TRUNK_USERNAME: '0612345678',
    TRUNK_2_USERNAME: '0612345679',
    TRUNK_3_USERNAME: '0612345680',
    TRUNK_4_USERNAME: '0612345681',
    PBX_REGISTER_USERNAME: 'fritzbox',
  };
  for (const { env: name } of ENV_OVERRIDES) if (/TOKEN|PASSWORD|SECRET/.test(name)) env[name] = `s3-${name}-Zq8x`;
  const config = loadConfig({ env });
  const secrets: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (SECRET_KEY.test(key) && typeof value === 'string') {
        const secret = value === '' ? `s3-${path}${key}-Zq8x` : value;
        (node as Record<string, unknown>)[key] = secret;
        secrets.push(secret);
      } else walk(value, `${path}${key}.`);
    }
  };
  walk(config, '');
  return { config, secrets };
}

describe('the logger keeps credentials out of its lines', () => {
  it('redacts every token, password and secret of a logged config, and the credentials of a logged request', () => {
    const { config, secrets } = configWithSecrets();
    // drachtio's secret, the API, feed and metrics tokens, the admin password, the trunk's four passwords, the PBX's.
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const session = 'crocetta_session=4f1c2a9e7b.Zq8xSessionMac';
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = createLogger('debug', sink);

    logger.info({ config }, 'configuration');
    logger.child({ component: 'panel' }).warn({ config }, 'configuration, from a child logger');
    infoLine(logger, { config }, 'configuration, by infoLine');
    for (const token of [config.panel.apiToken, config.feeds.token, config.panel.metricsToken])
      logger.info(
        { req: { method: 'GET', url: '/api/feed', headers: { authorization: `Bearer ${token}`, cookie: session } } },
        'request',
      );

    const out = chunks.join('');
    expect(out.split('\n').filter((l) => l !== '')).toHaveLength(6);
    expect(out).toContain('"username":"0612345678"'); // the config is in the lines...
    expect(out).toContain('"url":"/api/feed"');
    expect(out).toContain('[redacted]'); // ...its credentials are not
    for (const secret of [...secrets, session, 'Zq8xSessionMac']) expect(out, secret).not.toContain(secret);
  });
});
