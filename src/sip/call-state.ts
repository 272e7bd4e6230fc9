/**
 * The life of one screened request inside crocetta, as a closed union with guarded moves:
 *
 *   screening ──▶ forwarding ──▶ done
 *       │   └───▶ refusing ───▶ done
 *       └──────▶ cancelled (caller's CANCEL during screening: nothing more is sent)
 *
 * A CANCEL that arrives while forwarding or refusing is drachtio-server's to answer (487); the outcome tells.
 */
export type CallState = 'screening' | 'forwarding' | 'refusing' | 'cancelled' | 'done';

const MOVES: Readonly<Record<CallState, readonly CallState[]>> = {
  screening: ['forwarding', 'refusing', 'cancelled'],
  forwarding: ['done'],
  refusing: ['done'],
  cancelled: [],
  done: [],
};

export class CallLifecycle {
  private current: CallState = 'screening';

  get state(): CallState {
    return this.current;
  }

  /** Moves to `next` if allowed; returns false (and stays) otherwise, e.g. a CANCEL after the answer left. */
  moveTo(next: CallState): boolean {
    if (!MOVES[this.current].includes(next)) return false;
    this.current = next;
    return true;
  }
}
