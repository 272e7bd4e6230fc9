/**
 * The container files, without a Docker engine: the Dockerfile builds with the commands CI runs, its HEALTHCHECK
 * command answers as Docker needs against the real app, the build context holds what the Dockerfile copies, and
 * docker-compose.yml hands crocetta every environment variable crocetta reads.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_OVERRIDES } from '../../src/config/loader.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const run = promisify(execFile);
const file = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

/** The Dockerfile's instructions, line continuations joined, comments left out. */
function instructions(): Array<{ op: string; args: string }> {
  return file('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

function healthcheckArgv(): string[] {
  const hc = instructions().find((i) => i.op === 'HEALTHCHECK');
  const cmd = /CMD (\[.*\])$/.exec(hc?.args ?? '')?.[1];
  if (cmd === undefined) throw new Error('no HEALTHCHECK CMD [...] in the Dockerfile');
  return JSON.parse(cmd) as string[];
}

async function healthcheck(port: number): Promise<number> {
  const [cmd = '', ...args] = healthcheckArgv();
  try {
    await run(cmd === 'node' ? process.execPath : cmd, args, {
      env: { ...process.env, PANEL_PORT: String(port) },
      timeout: 15_000,
    });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('Dockerfile', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('builds with the commands CI runs, and runs the build as the unprivileged node user on a slim Node 20', () => {
    const all = instructions();
    const runs = all.filter((i) => i.op === 'RUN').map((i) => i.args);
    const steps = ['npm ci', 'npm run build', 'npm prune --omit=dev'];
    const at = steps.map((s) => runs.findIndex((r) => r.includes(s)));
    expect(
      at.every((i) => i >= 0),
      `RUN lines: ${runs.join(' | ')}`,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(runs.some((r) => /python3/.test(r) && /\bmake\b/.test(r) && /g\+\+/.test(r))).toBe(true);
    expect(all.filter((i) => i.op === 'FROM')).toHaveLength(2);
    expect(all.find((i) => i.op === 'ARG')?.args).toMatch(/node:20-bookworm-slim/);
    expect(all.filter((i) => i.op === 'USER').map((i) => i.args)).toEqual(['node']);
    expect(all.find((i) => i.op === 'CMD')?.args).toBe('["node", "dist/src/main.js"]');
    expect(all.find((i) => i.op === 'VOLUME')?.args).toContain('/data');
    expect(all.find((i) => i.op === 'ENV')?.args).toContain('CROCETTA_DB=/data/crocetta.sqlite');
  });

  it("HEALTHCHECK's command exits 0 while the panel answers /healthz and 1 when nothing listens", async () => {
    expect(await healthcheck(h.app.httpPort)).toBe(0);
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    expect(await healthcheck(closed)).toBe(1);
  });

  it('copies only what the build context (.dockerignore, an allow-list) lets in, and what exists', () => {
    const allowed = file('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const copied = instructions()
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied.length).toBeGreaterThan(4);
    for (const source of copied) {
      expect(allowed, `${source} is copied but not in the build context`).toContain(source.replace(/\/$/, ''));
      expect(existsSync(new URL(`../../${source}`, import.meta.url)), source).toBe(true);
    }
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(file('docker-compose.yml')) as {
    services: Record<
      string,
      { environment?: Record<string, string>; volumes?: string[]; image?: string; build?: string }
    >;
  };
  const crocetta = compose.services.crocetta;
  const env = crocetta?.environment ?? {};

  it('runs the image built from the Dockerfile beside drachtio-server, with the register on a volume', () => {
    expect(crocetta?.build).toBe('.');
    expect(compose.services.drachtio?.image).toMatch(/^drachtio\/drachtio-server/);
    expect(compose.services.drachtio?.volumes).toContain('./config/drachtio.conf.xml:/etc/drachtio.conf.xml:ro');
    expect(crocetta?.volumes).toContain('crocetta-data:/data');
    expect(env.DRACHTIO_SECRET).toBe(compose.services.drachtio?.environment?.DRACHTIO_SECRET);
  });

  it("passes every variable crocetta reads, and the trunk's and the registering PBX's", () => {
    const fixedByImage = new Set(['CROCETTA_DB', 'PANEL_HOST', 'DRACHTIO_HOST', 'DRACHTIO_PORT']);
    for (const { env: name } of ENV_OVERRIDES) {
      if (fixedByImage.has(name)) continue;
      expect(env[name], `${name} is not passed to crocetta`).toBe(
        `\${${name}:-${name === 'PANEL_PORT' ? '3000' : name === 'DRACHTIO_SECRET' ? 'cymru' : ''}}`,
      );
    }
    const contract = [
      'TRUNK_REGISTRAR',
      'TRUNK_USERNAME',
      'TRUNK_PASSWORD',
      'TRUNK_AUTH_USERNAME',
      'TRUNK_DOMAIN',
      'TRUNK_EXPIRES',
      'TRUNK_CONTACT_HOST',
      'TRUNK_INBOUND_FROM',
      'TRUNK_URI',
      'PBX_REGISTER_USERNAME',
      'PBX_REGISTER_PASSWORD',
    ];
    for (const name of contract) expect(env[name], name).toBe(`\${${name}:-}`);
  });

  it("keeps drachtio-server's admin port on loopback and its CDRs on", () => {
    const xml = file('config/drachtio.conf.xml');
    expect(xml).toMatch(/<admin port="9022" secret="[^"]+">127\.0\.0\.1<\/admin>/);
    expect(xml).toMatch(/<cdrs>true<\/cdrs>/);
  });
});
