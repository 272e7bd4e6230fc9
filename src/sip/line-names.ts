/**
 * The addresses of the registrars and outbound proxies given as host names, for the lines that share a user name
 * (trunk-inbound.ts lineOf tells a call to that user name by its source address being one line's registrar or proxy).
 * Carriers almost always give a name (`sip:voip.carrier-b.example`); an IP address needs no resolving. Every name is
 * looked up (all its addresses, IPv4 and IPv6) at start and again every LINE_NAMES_REFRESH_MS, in the background: a
 * call never waits for DNS, and reads the addresses of the last lookup that answered. A failed lookup is logged (once
 * per name until it answers again) and keeps that name's previous addresses; before the first answer, lineOf tells
 * the line by its other marks (carrier addresses, domain), as for a name it never resolved.
 */
import { lookup } from 'node:dns/promises';
import type { Logger } from '../log.js';
import type { LineMarks, TrunkInbound } from './trunk-inbound.js';

/** Every address `name` resolves to (rejects when it resolves to none). */
export type LookupAll = (name: string) => Promise<readonly string[]>;

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), every address of the name. */
export const systemLookupAll: LookupAll = async (name) =>
  (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);

/**
 * How often the names are looked up again: 5 minutes, the order of carriers' DNS TTLs (an SBC moved to another address
 * is followed within that), and a dozen lookups an hour per name at most.
 */
export const LINE_NAMES_REFRESH_MS = 5 * 60_000;

export interface LineNames {
  /** Looks every name up now; resolves once each answered or failed (never rejects). */
  refresh(): Promise<void>;
  /** The first lookup now, then one every `intervalMs` (the timer does not keep the process alive). */
  start(): void;
  stop(): void;
}

export interface LineNamesOptions {
  logger: Logger;
  lookupAll?: LookupAll;
  intervalMs?: number;
}

/** The lines of `inbound` with a registrar or proxy name; null when there is none (nothing to resolve). */
export function watchLineNames(inbound: TrunkInbound, opts: LineNamesOptions): LineNames | null {
  const lines = [...inbound.shared.values()].flat().filter((l) => l.names.length > 0);
  if (lines.length === 0) return null;
  const lookupAll = opts.lookupAll ?? systemLookupAll;
  const intervalMs = opts.intervalMs ?? LINE_NAMES_REFRESH_MS;
  const { logger } = opts;
  /** Each name's addresses from its last lookup that answered. */
  const known = new Map<string, readonly string[]>();
  /** Names whose last lookup failed (logged once until one answers). */
  const failing = new Set<string>();
  const names = [...new Set(lines.flatMap((l) => l.names))];

  const resolve = async (name: string): Promise<void> => {
    try {
      const addresses = [...new Set((await lookupAll(name)).map((a) => a.toLowerCase()))].sort();
      if (addresses.length === 0) throw new Error('no address');
      const before = known.get(name);
      known.set(name, addresses);
      if (failing.delete(name) || before?.join() !== addresses.join())
        logger.info(
          { name, addresses },
          "a line's registrar or proxy name resolved: its calls are told by these addresses",
        );
    } catch (err) {
      if (failing.has(name)) return;
      failing.add(name);
      logger.warn(
        { err, name, keeping: known.get(name) ?? [] },
        `cannot resolve ${name}, a line's registrar or proxy: calls from it are told by its other marks (its last addresses kept)`,
      );
    }
  };

  let running: Promise<void> | null = null;
  const refresh = (): Promise<void> =>
    (running ??= (async () => {
      await Promise.all(names.map(resolve));
      for (const line of lines) line.resolved = addressesOf(line, known);
    })().finally(() => {
      running = null;
    }));

  let timer: NodeJS.Timeout | null = null;
  return {
    refresh,
    start() {
      if (timer !== null) return;
      void refresh();
      timer = setInterval(() => void refresh(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}

function addressesOf(line: LineMarks, known: ReadonlyMap<string, readonly string[]>): ReadonlySet<string> {
  return new Set(line.names.flatMap((name) => known.get(name) ?? []));
}
