/**
 * What an operator reads when crocetta cannot start for a reason of the machine it runs on, not a bug: the panel's
 * port taken by another program, a port below 1024 without the right, a host address this machine does not have.
 * Each names the setting and the environment variable that chose the value, so the fix is one variable away; the
 * stack trace of such an error says nothing to an operator and is left out. Also the warning when drachtio-server
 * cannot be reached after a while (a wrong DRACHTIO_HOST / DRACHTIO_PORT shows nothing else at the default level).
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';

/** Where a setting's value came from, as the operator would change it: `PANEL_PORT=3001` or `panel.port`. */
function origin(env: NodeJS.ProcessEnv, variable: string, key: string): string {
  const value = env[variable];
  return value !== undefined && value !== '' ? `${variable}=${value}` : `${key} (default or CROCETTA_CONFIG's file)`;
}

/**
 * The sentence for a start that failed on the panel's address, or null for any other failure (which keeps its own
 * message). `err` is what `listen` rejected with (Node's system error: code, syscall, address, port).
 */
export function startFailureText(err: unknown, config: Pick<Config, 'panel'>, env: NodeJS.ProcessEnv): string | null {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (typeof e !== 'object' || e === null || e.syscall !== 'listen') return null;
  const { host, port } = config.panel;
  const where = `${host}:${port}`;
  const portFrom = origin(env, 'PANEL_PORT', 'panel.port');
  const hostFrom = origin(env, 'PANEL_HOST', 'panel.host');
  switch (e.code) {
    case 'EADDRINUSE':
      return (
        `the panel cannot listen on ${where}: port ${port} is already in use by another program (EADDRINUSE).\n` +
        `  The port comes from ${portFrom}. Choose a free one, e.g. PANEL_PORT=${port === 65535 ? 3000 : port + 1}` +
        ` (panel.port in your configuration file), or stop the program that holds ${port}` +
        ` (\`ss -ltnp 'sport = :${port}'\` shows it).`
      );
    case 'EACCES':
      return (
        `the panel cannot listen on ${where}: ports below 1024 need administrator rights (EACCES).\n` +
        `  The port comes from ${portFrom}. Choose one from 1024 up, e.g. PANEL_PORT=3000 (panel.port).`
      );
    case 'EADDRNOTAVAIL':
      return (
        `the panel cannot listen on ${where}: ${host} is not an address of this machine (EADDRNOTAVAIL).\n` +
        `  The address comes from ${hostFrom}. Use one of this machine's addresses, or 0.0.0.0 for all of them` +
        ` (PANEL_HOST, panel.host).`
      );
    default:
      return null;
  }
}

/** How long crocetta waits for drachtio-server before it says, once, that it cannot reach it. */
export const DRACHTIO_WARN_MS = 15_000;

/**
 * Warns once when crocetta is still not connected to drachtio-server `DRACHTIO_WARN_MS` after starting to connect
 * (it keeps retrying meanwhile, as before): the log names the address, the settings and their variables. When
 * drachtio-server was reached and refused crocetta's secret, the warning says that instead (it asked "Is
 * drachtio-server running, and is 9022 its admin port" after the refusal had been logged). Returns a function that
 * cancels the warning (called at stop).
 */
export function warnIfDrachtioUnreachable(
  link: { readonly connected: boolean; readonly refused: boolean },
  drachtio: Pick<Config['drachtio'], 'host' | 'port'>,
  env: NodeJS.ProcessEnv,
  logger: Pick<Logger, 'warn'>,
  afterMs = DRACHTIO_WARN_MS,
): () => void {
  const timer = setTimeout(() => {
    if (link.connected) return;
    const after = `not connected to drachtio-server at ${drachtio.host}:${drachtio.port} after ${Math.round(afterMs / 1000)} s`;
    if (link.refused) {
      // The secret's value is never logged: only where it comes from.
      const secretFrom =
        env.DRACHTIO_SECRET !== undefined && env.DRACHTIO_SECRET !== ''
          ? 'DRACHTIO_SECRET'
          : "drachtio.secret (default or CROCETTA_CONFIG's file)";
      logger.warn(
        { host: drachtio.host, port: drachtio.port, waitedMs: afterMs, refused: true },
        `${after} (still trying): drachtio-server answers there but refuses crocetta's secret, and no call reaches ` +
          `crocetta until it accepts it. Give crocetta the secret of drachtio-server's <admin secret="..."> ` +
          `(drachtio.conf.xml); crocetta's comes from ${secretFrom}.`,
      );
      return;
    }
    const hostFrom = origin(env, 'DRACHTIO_HOST', 'drachtio.host');
    const portFrom = origin(env, 'DRACHTIO_PORT', 'drachtio.port');
    logger.warn(
      { host: drachtio.host, port: drachtio.port, waitedMs: afterMs },
      `${after} ` +
        `(still trying): no call reaches crocetta until it is. Is drachtio-server running, and is ${drachtio.port} ` +
        `its admin port (<admin port="..."> in drachtio.conf.xml)? The address comes from ${hostFrom} and ${portFrom}; ` +
        `a wrong DRACHTIO_SECRET is logged as "drachtio-server refused the connection".`,
    );
  }, afterMs);
  timer.unref();
  return () => clearTimeout(timer);
}
