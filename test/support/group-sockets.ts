/**
 * Whether a piece of real SIP software a test started listens where it should, its own sockets: read from /proc (Linux),
 * without touching the ports. A check of the address alone is not enough: a port a test picked at its start can be
 * taken by another test file before the software binds it, and Kamailio binds its UDP socket before it listens on TCP
 * (a TCP connection in that gap is refused: session 49's ECONNREFUSED of the Kamailio front over TCP).
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A socket to listen on: UDP bound, or TCP (TLS too) in the LISTEN state, at exactly host:port. */
export interface Listen {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
}

/** host:port as /proc/net/{udp,tcp} write a local IPv4 address: `0300007F:62B4` for 127.0.0.3:25268. */
export function procAddress(host: string, port: number): string {
  const ip = host
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
  return `${ip}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The inodes of the sockets at `at` (TCP: listening ones only), from /proc/net/udp or /proc/net/tcp. */
function socketsAt(at: Listen): string[] {
  const address = procAddress(at.host, at.port);
  return readFileSync(`/proc/net/${at.proto}`, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === address && (at.proto === 'udp' || f[3] === '0A'))
    .map((f) => f[9] ?? '');
}

/** The inodes of the sockets the processes of group `pgid` hold open (a process gone meanwhile is skipped). */
function socketsOfGroup(pgid: number): Set<string> {
  const held = new Set<string>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, the fields after its last ')' do not.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1] !== undefined) held.add(m[1]);
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return held;
}

/**
 * True once the processes of group `pgid` (one started with `detached: true`, and what it forked) hold every one of
 * `sockets`; null where /proc/net is not there to tell.
 */
export function groupListens(pgid: number, sockets: readonly Listen[]): boolean | null {
  if (!existsSync('/proc/net/udp') || !existsSync('/proc/net/tcp')) return null;
  const found = sockets.map(socketsAt);
  if (found.some((inodes) => inodes.length === 0)) return false; // the cheap look first
  const held = socketsOfGroup(pgid);
  return found.every((inodes) => inodes.some((inode) => held.has(inode)));
}

/**
 * Waits until the processes of group `pgid` hold every one of `sockets` (groupListens), instead of a fixed sleep that
 * a loaded machine outlasts; gives up after `timeoutMs`. Without /proc/net it falls back to a 300 ms wait.
 */
export async function waitGroupListens(pgid: number, sockets: readonly Listen[], timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const listens = groupListens(pgid, sockets);
    if (listens === null) return new Promise((r) => setTimeout(r, 300));
    if (listens) return;
    if (Date.now() > end) {
      const said = sockets.map((s) => `${s.proto} ${s.host}:${s.port}`).join(', ');
      throw new Error(`process group ${pgid} does not listen on ${said} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
