/**
 * What the PBX registering to crocetta needs, from the validated config: the digest check, the bindings (read from
 * the register, which `openRegister` has already migrated), the failed-attempt limiter and the REGISTER handler.
 * Null while `pbx.register.username` is empty: then REGISTER is not routed to crocetta at all.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { LoginLimiter } from '../login-limiter.js';
import type { Metrics } from '../metrics.js';
import { DigestAuth, PbxRegistry } from '../pbx-register/index.js';
import type { Clock } from '../screening/types.js';
import { PbxBindingTable } from '../store/register/pbx-bindings.js';
import { createRegisterHandler, pbxRegisterMetrics, type PbxRegisterMetrics } from './pbx-registrar.js';

/** Nonces are good for 5 minutes; a PBX that reuses one later gets `stale=true` and answers a new one silently. */
const NONCE_TTL_MS = 5 * 60_000;
const MAX_NONCES = 4096;

export interface PbxRegistration {
  registry: PbxRegistry;
  handler: ReturnType<typeof createRegisterHandler>;
  metrics: PbxRegisterMetrics;
  close(): Promise<void>;
}

export async function openPbxRegistration(
  config: Config,
  metrics: Metrics,
  clock: Clock,
  logger: Logger,
): Promise<PbxRegistration | null> {
  const r = config.pbx.register;
  if (r.username === '') return null;
  const table = await PbxBindingTable.open(config.store.file);
  try {
    const limits = { minExpires: r.minExpires, maxExpires: r.maxExpires, maxContacts: r.maxContacts };
    const registry = await PbxRegistry.open(table, limits, clock);
    const pbxMetrics = pbxRegisterMetrics(metrics.registry, () => registry.live().length);
    const auth = new DigestAuth({
      realm: r.realm,
      username: r.username,
      password: r.password,
      nonceTtlMs: NONCE_TTL_MS,
      maxNonces: MAX_NONCES,
    });
    const handler = createRegisterHandler({
      auth,
      registry,
      limiter: new LoginLimiter(10, 15 * 60_000, () => clock.now()),
      clock,
      logger,
      metrics: pbxMetrics,
    });
    const live = registry.live();
    logger.info(
      {
        username: r.username,
        realm: r.realm,
        registered: live.map((b) => ({ contact: b.contact, expiresAt: new Date(b.expiresAt).toISOString() })),
      },
      config.pbx.uri === ''
        ? 'the PBX registers to crocetta; allowed calls go to its registered contact'
        : 'the PBX registers to crocetta; allowed calls go to pbx.uri',
    );
    return { registry, handler, metrics: pbxMetrics, close: () => table.close() };
  } catch (err) {
    await table.close().catch(() => undefined);
    throw err;
  }
}
