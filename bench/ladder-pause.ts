/**
 * bench/sip.ts' ladder with the idle applications paused: while one application takes a try, the others (with
 * --ladder-pause all their drachtio-servers too) are stopped with SIGSTOP and continued with SIGCONT before their own
 * lead-in, so that no try
 * shares the host with another application's after-work (session 34: idle crocetta's V8 memory reducer, 39–49% of a
 * core for a second or two, 20–80 s after its own try, inside the bare app's try; session 35, idle35) and each
 * application pays for its own. The bookkeeping is here, apart from the processes, so that it can be tested: which
 * pids this bench stopped, that it continues exactly those, and that it continues them whatever way the bench ends.
 */

/** How the bookkeeping reaches processes: a signal to a pid, and a pid's state (/proc/<pid>/stat; undefined: gone). */
export interface ProcessControl {
  signal(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** The state letter of /proc/<pid>/stat ('T' stopped by a signal), undefined when the process is gone. */
  state(pid: number): string | undefined;
}

/** The processes this bench stopped, and the calls that stop and continue them. */
export class Pauses {
  private readonly stopped = new Set<number>();

  constructor(private readonly control: ProcessControl) {}

  /** The pids stopped by this bench and not continued yet, in the order they were stopped. */
  get paused(): number[] {
    return [...this.stopped];
  }

  /**
   * Only `running` runs among `running` and `idle`: every pid of `idle` not already stopped is stopped (a gone one
   * skipped), every pid of `running` this bench stopped is continued. A pid in both lists runs. Returns the pids
   * stopped and continued by this call.
   */
  only(running: readonly number[], idle: readonly number[]): { stopped: number[]; continued: number[] } {
    const keep = new Set(running);
    const continued = this.resume(running);
    const stopped: number[] = [];
    for (const pid of idle) {
      if (keep.has(pid) || this.stopped.has(pid) || this.control.state(pid) === undefined) continue;
      try {
        this.control.signal(pid, 'SIGSTOP');
      } catch {
        continue; // gone meanwhile
      }
      this.stopped.add(pid);
      stopped.push(pid);
    }
    return { stopped, continued };
  }

  /** Continues the given pids that this bench stopped (all of them when none are given); returns those continued. */
  resume(pids: readonly number[] = [...this.stopped]): number[] {
    const continued: number[] = [];
    for (const pid of pids) {
      if (!this.stopped.delete(pid)) continue;
      try {
        this.control.signal(pid, 'SIGCONT');
        continued.push(pid);
      } catch {
        // gone: nothing to continue
      }
    }
    return continued;
  }

  /**
   * Waits until every pid stopped by this bench shows as stopped ('T') and every other pid of `pids` as not stopped
   * (a signal is delivered asynchronously); a gone pid counts as settled. Returns the pids that did not settle
   * within `ms`.
   */
  async settled(pids: readonly number[], ms = 2000): Promise<number[]> {
    const end = Date.now() + ms;
    for (;;) {
      const pending = pids.filter((pid) => {
        const s = this.control.state(pid);
        return s !== undefined && (s === 'T') !== this.stopped.has(pid);
      });
      if (pending.length === 0 || Date.now() >= end) return pending;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * Continues every pid `pauses` still holds stopped when this process exits, however it exits (an uncaught error, or
 * SIGINT/SIGTERM/SIGHUP, whose handlers in tracked-children.ts call process.exit): prepended, so that it runs before
 * the tracked children are killed (a stopped process dies of SIGKILL, but what it started would stay stopped).
 * Only SIGKILL of the bench itself leaves them stopped: `kill -CONT <pid>`, then kill them.
 */
export function resumeOnExit(pauses: Pauses, on: Pick<NodeJS.Process, 'prependListener'> = process): void {
  on.prependListener('exit', () => {
    pauses.resume();
  });
}

/** Which processes the ladder stops while another application tries (--ladder-pause). */
export type PauseMode = 'none' | 'apps' | 'all';

/** --ladder-pause none|apps|all (default `fallback`): apps = the idle applications; all = with their drachtio-servers. */
export function pauseMode(text: string | undefined, fallback: PauseMode): PauseMode {
  if (text === undefined) return fallback;
  if (text === 'none' || text === 'apps' || text === 'all') return text;
  throw new Error(`--ladder-pause: ${text} is none of none, apps, all`);
}
