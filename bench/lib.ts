/**
 * Shared plumbing of the HTTP benchmarks: child processes on loopback (the service exactly as
 * `src/server.ts` runs it, the ceiling app, the FHIR server), readiness, CPU time and RSS from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill('SIGTERM');
    });
}

async function waitHealthy(url: string, proc: ChildProcess, name: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not ready after ${timeoutMs} ms`);
}

/**
 * An entry point run as a child, stdout/stderr to a log file: a TypeScript file as `node --import tsx <file>`,
 * a compiled `.js` file as plain `node <file>` (how production runs the service), from `cwd`.
 */
export async function startNodeChild(
  name: string,
  entry: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: string[] = [],
  cwd: string = ROOT,
): Promise<Child> {
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...nodeArgs, ...loader, entry], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, proc, name);
  return { name, proc, pid: proc.pid!, url, stop: stopper(proc) };
}

/** Settings of the service under benchmark (said in the output): no auth, no rate limit, temp audit DB. */
export function serviceEnv(tmp: string): Record<string, string> {
  return {
    NODE_ENV: 'development',
    AUTH_MODE: 'off',
    RATE_LIMIT_MAX: '1000000000',
    DB_PATH: join(tmp, 'audit.sqlite'),
    LOG_LEVEL: 'info',
    AUDIT_HASH_KEY: 'bench-only-audit-hash-key-0123456789abcdef',
  };
}

/**
 * The service as production starts it: `node dist/src/server.js` from `root` (compiled first with
 * `buildService`). `name` keeps the log files of two services (an A/B run) apart.
 */
export async function startService(
  tmp: string,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
  root: string = ROOT,
  name = 'service',
): Promise<Child> {
  return startNodeChild(name, 'dist/src/server.js', { ...serviceEnv(tmp), DB_PATH: join(tmp, `${name}-audit.sqlite`), ...extraEnv }, join(tmp, `${name}.log`), nodeArgs, root);
}

/** `tsc -p tsconfig.build.json` in `root`: the benchmark measures the compiled service, as deployed. */
export function buildService(root: string = ROOT): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build failed in ${root}`);
}

/**
 * The node flags production starts the service with: read from the Dockerfile's CMD (the one place they are
 * set), e.g. `--max-semi-space-size=64`. The benchmark gives them to the service and, so that the comparison
 * measures our code and not the flags, to the ceiling too.
 */
export function productionNodeArgs(root: string = ROOT): string[] {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
  if (!cmd) return [];
  const argv = JSON.parse(cmd) as string[];
  return argv[0] === 'node' ? argv.slice(1).filter((a) => a.startsWith('--')) : [];
}

/** The ceiling app; `answers` (a JSON file: scenario key → answer) gives each /ceiling/<key> route its answer. */
export async function startCeiling(tmp: string, answers?: string, nodeArgs: string[] = []): Promise<Child> {
  return startNodeChild('ceiling', 'bench/ceiling.ts', answers ? { CEILING_ANSWERS: answers } : {}, join(tmp, 'ceiling.log'), nodeArgs);
}

export async function startFhirChild(tmp: string, records = 'small'): Promise<Child & { baseUrl: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/fhir-child.ts'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_FHIR_RECORDS: records },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('FHIR server not ready after 60 s')), 60_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(buf.slice(0, nl)) as { baseUrl: string }).baseUrl);
        } catch (err) {
          reject(err as Error);
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`FHIR server exited with ${code}`)));
  });
  proc.stdout!.resume();
  void tmp;
  return { name: 'fhir', proc, pid: proc.pid!, url: baseUrl, baseUrl, stop: stopper(proc) };
}

const CLK_TCK = 100; // Linux USER_HZ

/** CPU time (user + system) of a process so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the comm field: state is [0], utime is [11], stime is [12].
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process, in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  connections: number;
  durationS: number;
  overallRate?: number;
}

export function runLoad(spec: LoadSpec): Promise<autocannon.Result> {
  return autocannon({
    url: spec.url,
    method: spec.method,
    connections: spec.connections,
    duration: spec.durationS,
    ...(spec.body !== undefined ? { body: spec.body, headers: { 'content-type': 'application/json' } } : {}),
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
  });
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function machine(): { cpus: number; cpuModel: string; node: string; os: string; memGiB: number } {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const cpus = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const mem = /MemTotal:\s+(\d+)/.exec((() => {
    try {
      return readFileSync('/proc/meminfo', 'utf8');
    } catch {
      return '';
    }
  })())?.[1];
  return {
    cpus,
    cpuModel: model,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    memGiB: mem ? Math.round(Number(mem) / 1024 / 1024) : 0,
  };
}

/**
 * bench/latest.json (committed) holds the latest result of each benchmark under its own key (`http`,
 * `micro`, `memory`), so the three scripts never overwrite each other; bench/results/ (git-ignored) keeps
 * every run.
 */
export function saveResult(section: 'http' | 'micro' | 'memory', data: { date: string } & Record<string, unknown>): string {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${section}-${data.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  const latestPath = join(ROOT, 'bench/latest.json');
  let latest: Record<string, unknown> = {};
  try {
    latest = JSON.parse(readFileSync(latestPath, 'utf8')) as Record<string, unknown>;
    if (typeof latest !== 'object' || latest === null || Array.isArray(latest) || !('http' in latest || 'micro' in latest || 'memory' in latest)) latest = {};
  } catch {
    latest = {};
  }
  latest[section] = data;
  writeFileSync(latestPath, `${JSON.stringify(latest, null, 2)}\n`);
  return file;
}
