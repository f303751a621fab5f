/**
 * A real Redis for the queue tests, on 127.0.0.1 only: `$PRNET_TEST_REDIS_URL` when CI
 * (`.ci/run`) started one, else a private `redis-server` (Debian's package) on a free
 * local port, stopped afterwards. Never any other address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function testRedis(): Promise<TestRedis> {
  const given = process.env.PRNET_TEST_REDIS_URL;
  if (given) {
    const host = new URL(given).hostname;
    if (host !== '127.0.0.1') throw new Error(`PRNET_TEST_REDIS_URL must point at 127.0.0.1, got ${host}`);
    return { url: given, stop: async () => undefined };
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    const check = setInterval(() => {
      if (/ready to accept connections/i.test(out)) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
