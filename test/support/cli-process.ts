/**
 * The `crocetta` command line in a child process, as a user runs it, for the tests that spawn it.
 *
 * The sources are bundled once per test process with esbuild (the transpiler tsx itself runs on; packages stay
 * external, so node_modules and the native sqlite3 are the ones the service uses) into test-artifacts/cli/. A
 * child then starts in about half the CPU time of `node --import tsx src/cli/main.ts`, whose loader hooks transform
 * the CLI's modules at every start: 0.85 s of CPU against 1.65 s per run on this two-core machine at load 10. The
 * tests that run the CLI five to seven times reached their limits at load 9-12 without it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');
const bundles = new Map<string, Promise<string>>();

/**
 * The bundled CLI (or service, `src/main.ts`) of the current sources (built at the first call of each test
 * process). Named by its content, so test processes that build the same sources share one file (written whole,
 * then renamed into place); bundles of earlier sources older than an hour are removed.
 */
function bundleOf(entry = 'src/cli/main.ts'): Promise<string> {
  let bundle = bundles.get(entry);
  bundle ??= (async () => {
    const dir = join(ROOT, 'test-artifacts', 'cli');
    mkdirSync(dir, { recursive: true });
    const out = await build({
      entryPoints: [join(ROOT, entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: join(dir, 'crocetta.mjs'),
      write: false,
      logLevel: 'error',
    });
    const code = out.outputFiles[0]?.contents;
    if (code === undefined) throw new Error(`esbuild wrote no bundle of ${entry}`);
    const name = `crocetta-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
    const file = join(dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
    for (const old of readdirSync(dir))
      if (old !== name && Date.now() - statSync(join(dir, old)).mtimeMs > 3_600_000)
        rmSync(join(dir, old), { force: true });
    return file;
  })();
  bundles.set(entry, bundle);
  return bundle;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `crocetta <args>` from the project's folder with `env` added to this process's environment (or, with
 * `entry: 'src/main.ts'`, the service itself, as `npm start` runs it once built).
 */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: {
    timeoutMs?: number;
    entry?: 'src/cli/main.ts' | 'src/main.ts';
    /** Standard output into this file (a shell's `> file`) instead of `stdout`, which is then ''. */
    stdoutTo?: string;
  } = {},
): Promise<CliRun> {
  const entry = await bundleOf(opts.entry);
  const stdoutTo = opts.stdoutTo;
  if (stdoutTo !== undefined) {
    const fd = openSync(stdoutTo, 'w');
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', fd, 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
    });
    closeSync(fd);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    return new Promise((done) => child.once('close', (code) => done({ code: code ?? 1, stdout: '', stderr })));
  }
  return new Promise((done) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      },
    );
  });
}

/**
 * The service (`src/main.ts`, bundled as for runCli; or a long CLI command, `entry: 'src/cli/main.ts'` with its `args`)
 * running as a child process, with what it has printed.
 */
export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches `pattern` (rejects after `timeoutMs`, or when the child exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal) once the child has ended. */
  exited: Promise<number | NodeJS.Signals>;
}

export async function spawnService(
  env: Record<string, string | undefined>,
  opts: { entry?: 'src/main.ts' | 'src/cli/main.ts'; args?: string[] } = {},
): Promise<ServiceProcess> {
  const entry = await bundleOf(opts.entry ?? 'src/main.ts');
  const child = spawn(process.execPath, [entry, ...(opts.args ?? [])], { cwd: ROOT, env: { ...process.env, ...env } });
  let text = '';
  const seen: Array<() => void> = [];
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const check of seen) check();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 1)),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${text}`)),
          timeoutMs,
        );
        const check = () => {
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          resolve();
        };
        seen.push(check);
        void exited.then(() => {
          clearTimeout(timer);
          if (pattern.test(text)) resolve();
          else reject(new Error(`the service exited before ${String(pattern)}:\n${text}`));
        });
        check();
      }),
  };
}
