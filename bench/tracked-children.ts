/**
 * The child processes a bench starts (drachtio-server, sipp, crocetta, Kamailio): each one is tracked, and all of
 * them are killed (SIGKILL) when the bench ends, fails or is interrupted, so that no server outlives its bench.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

/** Tracks `child` until it exits; returns it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGKILL to every tracked child still running. */
export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** Kills every tracked child when this process exits or gets SIGINT, SIGTERM or SIGHUP (then exits 130). */
export function killAllOnExit(): void {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}
