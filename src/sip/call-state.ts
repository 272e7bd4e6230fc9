/**
 * The life of one screened request inside crocetta, as a closed union with guarded moves:
 *
 *   screening ──▶ forwarding ──▶ done
 *       │   ├───▶ refusing ───▶ done
 *       │   ├───▶ ringing ────▶ refusing | announcing | cancelled
 *       │   ├───▶ announcing ─▶ done | cancelled
 *       │   └───▶ checking ───▶ done | cancelled
 *       └──────▶ cancelled (caller's CANCEL during screening: nothing more is sent)
 *
 * ringing: 180 sent, holding before a refusal/announcement (actions.ringDelayMs); a CANCEL ends it.
 * announcing: the recorded message is playing (early media, or answered); a CANCEL (early) or BYE (answered) stops it.
 * checking: the human check (answer, prompt, key, then the PBX or the NO); a CANCEL before our 200 ends it.
 * A CANCEL that arrives while forwarding or refusing is drachtio-server's to answer (487); the outcome tells.
 */
export type CallState =
  'screening' | 'forwarding' | 'refusing' | 'ringing' | 'announcing' | 'checking' | 'cancelled' | 'done';

const MOVES: Readonly<Record<CallState, readonly CallState[]>> = {
  screening: ['forwarding', 'refusing', 'ringing', 'announcing', 'checking', 'cancelled'],
  forwarding: ['done'],
  refusing: ['done'],
  ringing: ['refusing', 'announcing', 'cancelled'],
  announcing: ['done', 'cancelled'],
  checking: ['done', 'cancelled'],
  cancelled: [],
  done: [],
};

export class CallLifecycle {
  private current: CallState = 'screening';
  private cancelHook: (() => void) | null = null;

  get state(): CallState {
    return this.current;
  }

  /** Moves to `next` if allowed; returns false (and stays) otherwise, e.g. a CANCEL after the answer left. */
  moveTo(next: CallState): boolean {
    if (!MOVES[this.current].includes(next)) return false;
    this.current = next;
    if (next === 'cancelled') this.cancelHook?.();
    return true;
  }

  /** What an accepted CANCEL does from now on (end the ringing, stop the announcement); null for nothing. */
  onCancel(hook: (() => void) | null): void {
    this.cancelHook = hook;
  }
}
