import Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import { createRequestHandler, type HandlerDeps } from './handle-request.js';
import { interceptCdrStops } from './cdr-stop.js';
import { corkSendsPerTurn } from './cork-sends.js';
import { installSipStatusCodes } from './sip-status-codes.js';
import { withMessage, type SrfWithMessage } from './srf-augment.js';
import { OK } from './verdict-to-sip.js';

type RequestListener = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;

export interface SipAppSettings {
  host: string;
  port: number;
  secret: string;
  reconnectMaxDelayMs: number;
  /** Screen SIP MESSAGE too (otherwise MESSAGE is not routed to crocetta at all). */
  screenMessages: boolean;
}

export interface SipApp {
  /** Connects to drachtio-server; keeps reconnecting (bounded back-off) until stop(). */
  start(): void;
  stop(): void;
  /** True while connected and authenticated. */
  readonly connected: boolean;
  /** True when drachtio-server's last answer to a connection was a refusal (a wrong secret), until one succeeds. */
  readonly refused: boolean;
  readonly srf: Omit<Srf, 'connect'> & SrfWithMessage;
}

/**
 * The methods crocetta's answer to an out-of-dialog OPTIONS says it accepts (RFC 3261 §11.2), exactly those that
 * reach an app or pass through a call: INVITE and its CANCEL; ACK, BYE, UPDATE and INFO in a call (relayed by the
 * B2BUA, trunk-dialog.ts, or passed on by drachtio-server's Record-Route proxy); OPTIONS; MESSAGE only when it is
 * screened (otherwise not routed to crocetta); REGISTER only when the PBX registers to crocetta.
 */
function allowedMethods(routes: { screenMessages: boolean; registrar: boolean }): string {
  const methods = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'UPDATE', 'INFO'];
  if (routes.screenMessages) methods.push('MESSAGE');
  if (routes.registrar) methods.push('REGISTER');
  return methods.join(', ');
}

/** Builds the drachtio-srf application; nothing connects until start(). */
export function createSipApp(
  settings: SipAppSettings,
  deps: HandlerDeps & {
    logger: Logger;
    /** REGISTER from the PBX (pbx.register); absent: REGISTER is not routed. */ registrar?: RequestListener;
  },
): SipApp {
  installSipStatusCodes();
  const srf = withMessage(new Srf());
  let connected = false;
  const log = deps.logger.child({ component: 'sip' });

  srf.invite(createRequestHandler('call', deps));
  // Carriers' keepalives and PBXs' qualify (Asterisk, 3CX, FRITZ!Box) ask with OPTIONS; without an app for it
  // drachtio-server answers 503, which many SBCs take for a trunk that is down.
  const allow = allowedMethods({ screenMessages: settings.screenMessages, registrar: deps.registrar !== undefined });
  srf.options((_req, res) => {
    res.send(OK, { headers: { Allow: allow, Accept: 'application/sdp' } });
  });
  if (settings.screenMessages) srf.message(createRequestHandler('message', deps));
  if (deps.registrar) srf.register(deps.registrar);
  const forwarded = deps.forwarded;
  // Registers the `cdr:stop` route with drachtio-server (sent only when its config has <cdrs>true</cdrs>). Its records
  // are read by cdr-stop.ts once connected; this handler (drachtio-srf's full parse) is the fallback.
  (srf.on as (event: string, fn: (...args: unknown[]) => void) => void)('cdr:stop', (_source, _time, reason, msg) => {
    try {
      const sip = msg as { get(name: string): string | undefined; status?: unknown };
      const status = typeof sip.status === 'number' ? sip.status : null;
      forwarded.ended(sip.get('Call-ID') ?? '', deps.clock.now(), typeof reason === 'string' ? reason : '', status);
    } catch (err) {
      log.warn({ err }, 'unreadable CDR from drachtio-server ignored');
    }
  });

  // drachtio-srf retries a refused connection several times a second: the first refusal is an error that says what to
  // check, the same refusal again is debug until a connection succeeds (a log flood hides the one line that matters).
  let lastRefusal: string | null = null;
  srf.on('connect', (err: Error | null, hostport: string) => {
    if (err) {
      if (err.message === lastRefusal) {
        log.debug({ err: err.message }, 'drachtio-server refused the connection again; retrying');
        return;
      }
      lastRefusal = err.message;
      log.error(
        { err: err.message, host: settings.host, port: settings.port },
        'drachtio-server refused the connection: check that DRACHTIO_SECRET (drachtio.secret) is the secret of ' +
          "drachtio-server's <admin> element; retrying, and saying it again only once something changes",
      );
      return;
    }
    lastRefusal = null;
    connected = true;
    deps.metrics.drachtioConnected.set(1);
    log.info({ hostport }, 'connected to drachtio-server');
  });
  // Without an 'error' listener a refused connection would kill the process (EventEmitter semantics).
  srf.on('error', (err: Error) => {
    if (connected) log.warn({ err: err.message }, 'drachtio connection error');
    else log.debug({ err: err.message }, 'drachtio-server not reachable yet; retrying');
  });
  // drachtio-srf emits 'close' (not 'disconnect') when the socket goes; it then reconnects by itself.
  srf.on('close' as 'disconnect', () => {
    if (connected) log.warn('disconnected from drachtio-server; reconnecting');
    connected = false;
    deps.metrics.drachtioConnected.set(0);
  });

  return {
    srf,
    get connected() {
      return connected;
    },
    get refused() {
      return lastRefusal !== null;
    },
    start() {
      log.info({ host: settings.host, port: settings.port }, 'connecting to drachtio-server');
      // connect() returns nothing at run time (the typings say Promise): outcomes arrive as events.
      srf.connect({
        host: settings.host,
        port: settings.port,
        secret: settings.secret,
        reconnect: { retryMaxDelay: settings.reconnectMaxDelayMs },
      });
      const intercepted = interceptCdrStops(srf, {
        follows: (callId) => forwarded.follows(callId),
        ended: (stop) => {
          try {
            forwarded.ended(stop.callId, deps.clock.now(), stop.reason, stop.status);
          } catch (err) {
            log.warn({ err }, 'CDR from drachtio-server not handled');
          }
        },
      });
      if (!intercepted) log.debug("drachtio-srf's connection not found: CDRs are read by its own parser");
      // The register's update lines of a turn are written together (one write() where each was one), and before any
      // message leaves for drachtio-server: only once every write to it goes through corkSendsPerTurn's hook.
      let writeUpdateLines: () => void = () => undefined;
      if (corkSendsPerTurn(srf, () => writeUpdateLines())) writeUpdateLines = deps.register.gatherUpdateLines();
      else log.debug("drachtio-srf's connection not found: each message is written on its own");
    },
    stop() {
      // The last calls' decision lines (and, answering first, their records) are written now, not lost to the exit.
      deps.afterAnswer.flush();
      connected = false;
      deps.metrics.drachtioConnected.set(0);
      try {
        srf.disconnect();
      } catch {
        // Not connected: disconnect() still marks the client as closing (no more retries), then throws.
      }
    },
  };
}
