/**
 * Everything crocetta keeps on disk, opened in order: the register file's lock (one service per register,
 * store/instance-lock.ts), the register (migrated, its index loaded), forwards a previous
 * run left open ended, the panel's connection and the settings it holds (runtime overrides, the admin password
 * hash, the session key), friends' feeds, the PBX's registrations. If one step fails, what was opened before it is
 * closed again (newest first) and the error goes on: a failed start leaves no file open and no timer running.
 */
import { screeningRules } from '../config/derive.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { countSpool, type Metrics } from '../metrics.js';
import { ensureAdminHash, Sessions, sessionKey } from '../panel/auth.js';
import { WithheldCallers, WithheldNames, withheldKey } from '../panel/withheld.js';
import type { Clock, EvidenceLookup } from '../screening/types.js';
import { FeedService, feedSettings } from '../sharing/feeds/index.js';
import { LiveSettings } from '../settings/index.js';
import { openPbxRegistration, type PbxRegistration } from '../sip/pbx-registration.js';
import { openPanelStore, openRegister, prefixIndexOptions, type PanelStore } from '../store/index.js';
import { acquireInstanceLock } from '../store/instance-lock.js';
import { endStaleForwards } from '../store/register/stale-forwards.js';
import type { Register } from '../store/register/types.js';
import { DAY_MS } from '../time/units.js';

export interface Stores {
  register: Register;
  /** The panel's connection: aggregates in the business's time zone, runtime settings, the admin password hash. */
  panelStore: PanelStore;
  /** Actions and screening rules, the configuration file's overlaid with those saved in the panel. */
  live: LiveSettings;
  /** The admin password's scrypt hash; null while ADMIN_PASSWORD was never set. */
  adminHash: string | null;
  sessions: Sessions;
  /** Withheld callers as the panel shows them: by a token of this register, or by number (panel.showWithheldNumbers). */
  withheld: WithheldCallers;
  feeds: FeedService;
  /** The register's evidence joined with friends' reports, from memory (no query per call). */
  evidence: EvidenceLookup;
  /** The PBX registering to crocetta (pbx.register); null when it does not. */
  pbx: PbxRegistration | null;
  /** Closes everything above, newest first. */
  close(): Promise<void>;
}

export interface StoreContext {
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
}

export async function openStores(config: Config, { clock, metrics, logger }: StoreContext): Promise<Stores> {
  const opened: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const closeOne of opened.reverse())
      await closeOne().catch((err: unknown) => logger.error({ err }, 'closing a store failed'));
    opened.length = 0;
  };
  const storeLog = logger.child({ component: 'store' });
  try {
    // One service per register file (its attempts journal is named after it): a second start stops here.
    const lock = await acquireInstanceLock(config.store.file);
    opened.push(() => lock.release()); // released last, once everything else is closed
    const register = await openRegister({
      file: config.store.file,
      lookbackDays: config.store.lookbackDays,
      synchronous: config.store.synchronous,
      spoolMaxWrites: config.store.spoolMaxWrites,
      closeTimeoutMs: config.store.shutdownFlushMs,
      onSpool: (event) => countSpool(metrics, event),
      // The journal's write survives what a NORMAL commit survives; under FULL the answer waits for the fsync'd commit.
      journal: config.store.synchronous === 'NORMAL',
      onJournalFailure: () => metrics.registerJournalFailures.inc(),
      blockDropDigits: config.screening.learning.blocks.dropDigits,
      suspectThreshold: config.screening.thresholds.suspect,
      prefixes: prefixIndexOptions(screeningRules(config).learning, config.screening.thresholds),
      clock,
      logger: storeLog,
    });
    opened.push(() => register.close());

    // Forwards a previous run left open will never be reported to this one (their proxy was on its connection).
    const stale = await endStaleForwards(config.store.file, {
      now: clock.now(),
      since: clock.now() - config.store.lookbackDays * DAY_MS,
    });
    if (stale > 0)
      logger.warn({ attempts: stale }, 'forwarded attempts left open by the previous run ended as timeout');

    // The dashboard's aggregates, when they must be rebuilt (migration 10, a changed timeZone), are rebuilt in the
    // background: SIP connects and calls are screened and recorded meanwhile (the panel says the figures are partial).
    const panelStore = await openPanelStore({
      file: config.store.file,
      timeZone: config.timeZone,
      logger: storeLog,
      rebuild: 'background',
      rebuildOptions: { pauseMs: config.store.aggregatesRebuildPauseMs },
    });
    opened.push(() => panelStore.close());
    const live = await LiveSettings.load(
      config,
      panelStore.settings,
      (problem) =>
        logger.warn({ problem }, 'settings saved in the panel are no longer valid: using the configuration file'),
      (problem) =>
        logger.warn({ problem }, 'settings saved in the panel name one category twice: one of the two values is used'),
    );
    if (live.isOverlaid)
      logger.info('actions and screening rules changed in the panel override the configuration file');
    const admin = await ensureAdminHash(panelStore.settings, config.panel.adminPassword);
    if (admin.changed) logger.info('panel admin password stored (scrypt hash) from ADMIN_PASSWORD');
    if (admin.hash === null) logger.warn('ADMIN_PASSWORD is not set: nobody can log in to the panel until it is');
    const sessions = new Sessions(await sessionKey(panelStore.settings));
    const withheld = config.panel.showWithheldNumbers
      ? WithheldCallers.shown()
      : new WithheldCallers(new WithheldNames(await withheldKey(panelStore.settings)), (keys) =>
          panelStore.reports.onlyWithheld(keys),
        );

    const feeds = await FeedService.open(
      config.store.file,
      feedSettings(config.feeds),
      clock,
      logger.child({ component: 'feeds' }),
    );
    opened.push(() => feeds.stop());
    // Friends' reports teach the prefix tree their numbers' ranges, now and after every pull round.
    feeds.index.subscribe((index) =>
      register.indexImported({ friendReports: { at: clock.now(), reports: [...index.counted()] } }),
    );
    // Friends' reports add reasons, never a mark or an override: the verdict memo's version is the register's.
    const evidence: EvidenceLookup = {
      evidenceFor: (key, slot) => feeds.index.withFriends(key, register.evidenceFor(key, slot)),
      get verdictVersion() {
        return register.verdictVersion;
      },
    };

    // The PBX registering to crocetta (pbx.register): its bindings, kept in the register, read here once.
    const pbx = await openPbxRegistration(config, metrics, clock, logger.child({ component: 'pbx-register' }));
    if (pbx) opened.push(() => pbx.close());

    return { register, panelStore, live, adminHash: admin.hash, sessions, withheld, feeds, evidence, pbx, close };
  } catch (err) {
    await close();
    throw err;
  }
}
