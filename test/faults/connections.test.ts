/**
 * Connection floods and slow clients (issue 12, case 1 and the timeouts of case 8), against the real
 * server process. The fd case runs the service in a child with a low `ulimit -n` (200), so the test
 * needs only a few hundred sockets and never strains the shared machine. Before the fix, the flood made
 * accept() and @fastify/under-pressure's timer fail with EMFILE and the process exited; trickled bodies
 * lived 80-90 s; Node's own 400/408/431 answers were not OperationOutcomes.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir, type HasTeardown } from '../fixtures/fault-harness.js';

interface Child {
  proc: ChildProcess;
  port: number;
  logs: string[];
}

async function startServer(t: HasTeardown, env: Record<string, string>, ulimit?: number): Promise<Child> {
  const dir = tempDir(t, 'sih-fault-conn-');
  const cmd = `${ulimit ? `ulimit -n ${ulimit} && ` : ''}exec "${process.execPath}" --import tsx src/server.ts`;
  const proc = spawn('bash', ['-c', cmd], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DB_PATH: join(dir, 'audit.sqlite'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      logs.push(chunk.toString());
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${logs.join('').slice(-500)}`)));
  });
  proc.stdout!.on('data', (c: Buffer) => logs.push(c.toString()));
  return { proc, port, logs };
}

/** Sends raw bytes on a new connection; resolves with everything received until the server closes it. */
function rawExchange(port: number, data: string, waitMs = 15_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    s.on('data', (d) => (text += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    s.write(data);
  });
}

/** One HTTP/1.1 request on an open keep-alive socket; resolves with the status line's code. */
function requestOn(s: Socket, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m && text.includes('\r\n\r\n')) {
        s.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

t.test('a flood of half-open connections past the fd limit: refused, the process lives, probes answer', async (t) => {
  const srv = await startServer(t, { HEADERS_TIMEOUT_MS: '3000', REQUEST_TIMEOUT_MS: '3000', KEEP_ALIVE_TIMEOUT_MS: '20000' }, 200);
  const probe = await openSocket(srv.port);
  t.teardown(() => probe.destroy());
  t.equal(await requestOn(probe, '/healthz'), 200, 'probe connection open before the flood');

  const FLOOD = 300;
  const sockets: Socket[] = [];
  let refused = 0;
  const answers: string[] = [];
  for (let i = 0; i < FLOOD; i++) {
    const s = connect(srv.port, '127.0.0.1');
    s.on('error', () => undefined);
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => {
      if (got === '') refused += 1;
      else answers.push(got);
    });
    // Partial headers, never finished (the slowloris shape).
    s.write('POST /cds-services/sih-imaging-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    sockets.push(s);
  }
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(srv.proc.exitCode, null, 'the process is still running during the flood');
  t.equal(await requestOn(probe, '/healthz'), 200, '/healthz answers during the flood');
  t.ok(refused > 0, `connections past the limit were refused (${refused} of ${FLOOD})`);

  // Past HEADERS_TIMEOUT_MS the half-open requests are ended with a 408 OperationOutcome.
  await new Promise((r) => setTimeout(r, 4500));
  t.ok(answers.length > 0, `${answers.length} half-open requests answered at the header timeout`);
  t.match(answers[0], /^HTTP\/1\.1 408 /, '408');
  t.match(answers[0], /"resourceType":"OperationOutcome"/, 'as an OperationOutcome');
  const after = await rawExchange(srv.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  t.match(after.text, /^HTTP\/1\.1 200 /, 'a new connection is served again');
  t.equal(srv.proc.exitCode, null, 'and the process never exited');
  t.ok(srv.logs.join('').includes('connection refused: MAX_CONNECTIONS reached'), 'the refusals are logged');
});

t.test('timeouts hold as configured; Node-level errors are OperationOutcomes', async (t) => {
  const srv = await startServer(t, { HEADERS_TIMEOUT_MS: '1500', REQUEST_TIMEOUT_MS: '2000', KEEP_ALIVE_TIMEOUT_MS: '1000' });

  // A body trickled one byte a second: ended at REQUEST_TIMEOUT_MS (+ the 1 s check), not 80-90 s later.
  const trickle = await new Promise<{ text: string; ms: number }>((resolve) => {
    const started = Date.now();
    const s = connect(srv.port, '127.0.0.1');
    let text = '';
    s.on('error', () => undefined);
    s.on('data', (d) => (text += d.toString()));
    s.write('POST /cds-services/sih-imaging-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => s.write(' '), 1000);
    const cap = setTimeout(() => s.destroy(), 20_000);
    s.on('close', () => {
      clearInterval(drip);
      clearTimeout(cap);
      resolve({ text, ms: Date.now() - started });
    });
  });
  t.ok(trickle.ms < 20_000, `the trickling connection was closed by the server (after ${trickle.ms} ms, limit 2000 ms)`);
  t.match(trickle.text, /^HTTP\/1\.1 408 /, 'with 408');
  t.match(trickle.text, /OperationOutcome/, 'as an OperationOutcome');

  // An idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS.
  const idle = await openSocket(srv.port);
  t.equal(await requestOn(idle, '/healthz'), 200);
  const idleClosed = await new Promise<boolean>((resolve) => {
    const cap = setTimeout(() => resolve(false), 15_000);
    idle.on('close', () => {
      clearTimeout(cap);
      resolve(true);
    });
  });
  t.ok(idleClosed, 'idle keep-alive connection closed by the server');

  const bad = await rawExchange(srv.port, 'GARBAGE\r\n\r\n');
  t.match(bad.text, /^HTTP\/1\.1 400 /, 'malformed request: 400');
  t.match(bad.text, /OperationOutcome/, 'as an OperationOutcome');
  const big = await rawExchange(srv.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  t.match(big.text, /^HTTP\/1\.1 431 /, 'header overflow: 431');
  t.match(big.text, /OperationOutcome/, 'as an OperationOutcome');
});
