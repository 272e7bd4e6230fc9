/** What the panel is built from (src/app.ts gives all of it); each router takes the part it uses. */
import type { DossierService } from '../dossier/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { CheckMemory } from '../screening/check-memory.js';
import type { Clock, EvidenceLookup } from '../screening/types.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { FeedService } from '../sharing/feeds/feeds.js';
import type { FriendReportsQuery, FriendReportsRanking } from '../store/reports/community-rankings.js';
import type { Reports } from '../store/reports/reports.js';
import type { Binding } from '../pbx-register/bindings.js';
import type { ImportedIndexRows, Register } from '../store/register/types.js';
import type { TrunkStatus } from '../trunk/registration.js';
import type { LoginLimiter, Sessions } from './auth.js';
import type { WithheldCallers } from './withheld.js';

export interface PanelDeps {
  register: Register;
  /** The evidence a number is classified with: the register's plus friends' reports. */
  evidence: EvidenceLookup;
  /** The panel's reads (dashboard, register page, rankings), on its own connection. */
  reports: Reports;
  /** The action policy and classifier in force; the rules and settings pages change them. */
  live: LiveSettings;
  /** Passed human checks: the number page's "what each line would do" lets a remembered passer through. */
  checkMemory?: CheckMemory;
  sessions: Sessions;
  /** Withheld callers: shown by a token, not by their number, unless the operator chose to see them (withheld.ts). */
  withheld: WithheldCallers;
  limiter: LoginLimiter;
  /** The admin password's scrypt hash; null = no password configured (login impossible). */
  adminHash: string | null;
  /** The JSON API's bearer token; empty = only a logged-in session opens the API. */
  apiToken: string;
  /** The bearer token Prometheus scrapes `/metrics` with (the API token and a session open it too); empty = public. */
  metricsToken: string;
  clock: Clock;
  timeZone: string;
  defaultCountry: string;
  logger: Logger;
  metrics: Metrics;
  /** What /readyz checks, by name: true when that part is ready. */
  readiness: () => Record<string, boolean>;
  /** The evidence dossier (`/dossier`, `GET /api/dossier`). */
  dossier: DossierService;
  /** Friends' reports per company (the rankings' "Friends' reports", `GET /api/rankings/community`). */
  community: (q: FriendReportsQuery) => Promise<FriendReportsRanking>;
  /** The registration to the carrier, for the dashboard's trunk line; null: no registration trunk. */
  trunk: () => TrunkStatus | null;
  /**
   * Each carrier account's registration (name: its number, else its user name; account: its user name; carrier: the
   * registrar it registers at); several: a dashboard line each; /readyz lists them all.
   */
  trunkAccounts?: () => ReadonlyArray<TrunkAccountView>;
  /** The PBX registering to crocetta (pbx.register), for the dashboard's PBX line; absent or null: it does not. */
  pbx?: () => PbxView | null;
  /** Whether the register writes (false: its disk refuses, /readyz's `store`), for the dashboard's line; absent: none. */
  registerWrites?: () => boolean;
  /** Writes the register holds in memory while its disk refuses them (Register.spooled), for the same line's count. */
  registerHeld?: () => number;
  /** Imports and exports (`/import`, `POST /api/import`, `GET /api/export`), on connections of their own. */
  sharing: {
    /** The register's SQLite file. */
    file: string;
    /** The running register's index follows what an import wrote. */
    indexImported: (rows: ImportedIndexRows) => void;
    /** Largest import accepted, in bytes. @defaultValue 512 MiB */
    maxImportBytes?: number;
  };
  /** Our signed feed for friends (`GET /api/feed`), appeals (`POST /api/numbers/:number/appeal`). */
  feed: {
    feeds: FeedService;
    /** Token given to friends for the feed only; empty = only the API token opens it. */
    feedToken: string;
    /** A friend's weight when the panel's form leaves it as it is (`feeds.defaultWeight`). */
    defaultWeight: number;
  };
}

/** The PBX's registration to crocetta as the dashboard shows it. */
export interface PbxView {
  /** True when the registered PBX is the one place allowed calls go (pbx.uri empty): none registered, they get 480. */
  callsGoThere: boolean;
  /** Its live bindings, the most recently refreshed first. */
  live: readonly Binding[];
}

/** One carrier account as the panel shows it. */
export interface TrunkAccountView {
  /** Its number, else its user name: what the office knows the line by. */
  name: string;
  /** Its user name. */
  account: string;
  /** Its own number as configured ('' = none: its calls' DID is whatever the carrier says). */
  number: string;
  /** The registrar it registers at (its carrier). */
  carrier: string;
  status: TrunkStatus;
}
