/**
 * The PBX's bindings in memory, kept in step with the register file: calls read them without a query, REGISTERs
 * change them one at a time, and a binding is stored before its 200 goes out (a restart keeps it).
 */
import type { Clock } from '../screening/types.js';
import {
  applyRegister,
  bindingFor,
  deliveryUri,
  type Binding,
  type BindingLimits,
  type RegisterRequest,
  type RegisterResult,
} from './bindings.js';

/** Where bindings are kept (the register's `pbx_bindings` table). */
export interface BindingStore {
  load(): Promise<Binding[]>;
  /** Replaces every stored binding with these, atomically. */
  replace(bindings: readonly Binding[]): Promise<void>;
}

export class PbxRegistry {
  private bindings: Binding[];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: BindingStore,
    private readonly limits: BindingLimits,
    private readonly clock: Clock,
    loaded: Binding[],
  ) {
    this.bindings = loaded;
  }

  /** Loads the stored bindings; expired ones are ignored (and dropped at the next change). */
  static async open(store: BindingStore, limits: BindingLimits, clock: Clock): Promise<PbxRegistry> {
    const loaded = await store.load();
    return new PbxRegistry(store, limits, clock, loaded);
  }

  /** Live bindings now, most recently refreshed first. */
  live(): Binding[] {
    const now = this.clock.now();
    return this.bindings.filter((b) => b.expiresAt > now).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get registered(): boolean {
    return this.live().length > 0;
  }

  /** Where a call to `did` goes now (a contact URI; forward() may put the DID in as user), or null when none is live. */
  target(did: string | null = null): string | null {
    const b = bindingFor(this.bindings, did, this.clock.now());
    return b === null ? null : deliveryUri(b);
  }

  /** True when `address` is where a live binding's REGISTER came from: the PBX's own address. */
  isPbxAddress(address: string): boolean {
    const now = this.clock.now();
    return address !== '' && this.bindings.some((b) => b.expiresAt > now && b.source.address === address);
  }

  /**
   * Applies a REGISTER (one at a time, in arrival order) and stores the result before resolving. A store
   * failure rejects and leaves the bindings in memory as they were.
   */
  apply(req: Omit<RegisterRequest, 'now'>): Promise<RegisterResult> {
    const run = async (): Promise<RegisterResult> => {
      const result = applyRegister(this.bindings, { ...req, now: this.clock.now() }, this.limits);
      if (result.kind === 'ok' && result.changed) {
        await this.store.replace(result.bindings);
        this.bindings = result.bindings;
      }
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
