import test from 'node:test';
import assert from 'node:assert/strict';
import { settleWithin } from '../../src/io/settleWithin.js';

/** A set whose promises remove themselves when they settle, as their owners' sets do. */
function tracked(): { set: Set<Promise<unknown>>; add(ms: number, fail?: boolean): Promise<unknown> } {
  const set = new Set<Promise<unknown>>();
  return {
    set,
    add(ms, fail = false) {
      const p: Promise<unknown> = new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new Error('x')) : resolve(ms)), ms)).finally(() => set.delete(p));
      p.catch(() => undefined);
      set.add(p);
      return p;
    },
  };
}

/** A promise settled by hand, in a set it leaves when it settles. */
function deferred(set: Set<Promise<unknown>>): { resolve(): void; reject(): void } {
  let resolve!: () => void, reject!: (e: Error) => void;
  const p: Promise<unknown> = new Promise<void>((res, rej) => { resolve = res; reject = rej; }).finally(() => set.delete(p));
  p.catch(() => undefined);
  set.add(p);
  return { resolve: () => resolve(), reject: () => reject(new Error('failed')) };
}

const ticks = () => new Promise((r) => setImmediate(r));

test('settleWithin: waits for every promise, rejected ones and those added while waiting included', async () => {
  const set = new Set<Promise<unknown>>();
  const a = deferred(set), b = deferred(set);
  let done: boolean | undefined;
  void settleWithin(set, 10_000).then((v) => { done = v; });
  a.resolve();
  await ticks();
  const late = deferred(set); // started during the wait
  b.reject();
  await ticks();
  assert.equal(done, undefined, 'still waiting for the late one');
  late.resolve();
  await ticks();
  assert.equal(done, true);
  assert.equal(set.size, 0);
  assert.equal(await settleWithin(new Set(), 10), true, 'nothing pending');
});

test('settleWithin: gives up after the timeout with false, leaving the work running', async () => {
  const t = tracked();
  const slow = t.add(300);
  const t0 = performance.now();
  assert.equal(await settleWithin(t.set, 30), false);
  const waited = performance.now() - t0;
  assert.ok(waited >= 25 && waited < 250, `waited ${waited} ms`);
  assert.equal(await slow, 300);
});
