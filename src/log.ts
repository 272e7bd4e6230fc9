import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * The service's logger: JSON lines on stdout. Secrets never reach it: the API token, the drachtio secret and
 * the admin password are redacted wherever they appear in a logged object.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { app: 'crocetta' },
    redact: {
      paths: [
        'config.panel.apiToken',
        'config.panel.adminPassword',
        'config.drachtio.secret',
        'config.trunk.password',
        'config.pbx.register.password',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
