import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadFile } from '../../../src/node/weights/download.js';
import { googleDriveConfirmation, googleDriveDownloadUrl } from '../../../src/node/weights/googleDrive.js';
import { seededRandom } from '../../support/checkpointFixture.js';

const rand = seededRandom(2024);
const PAYLOAD = Buffer.from(new Uint8Array(3 * 1024 * 1024 + 123).map(() => Math.floor(rand() * 256)));
const SHA = createHash('sha256').update(PAYLOAD).digest('hex');

interface Seen { url: string; range?: string; cookie?: string }
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

async function serve(handler: Handler): Promise<{ base: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url!, range: req.headers.range, cookie: req.headers.cookie });
    handler(req, res, seen.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Serves PAYLOAD honouring `Range: bytes=N-`. */
function sendFile(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer = PAYLOAD): void {
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    if (start >= body.length) { res.writeHead(416, { 'content-range': `bytes */${body.length}` }); res.end(); return; }
    res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    res.end(body.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
}

/** Sends headers for the whole file, `cut` bytes of it, then drops the connection. */
function sendTruncated(res: http.ServerResponse, cut: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': PAYLOAD.length });
  res.write(PAYLOAD.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
}

function tmp(): { dir: string; dest: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-dl-'));
  return { dir, dest: path.join(dir, 'weights.bin') };
}

test('full download: bytes, sha256, monotone progress, no .part left', async () => {
  const s = await serve((req, res) => sendFile(req, res));
  const { dir, dest } = tmp();
  try {
    const progress: number[] = [];
    const r = await downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length, sha256: SHA, onProgress: (n, t) => { progress.push(n); assert.equal(t, PAYLOAD.length); } });
    assert.deepEqual(readFileSync(dest), PAYLOAD);
    assert.equal(r.sha256, SHA);
    assert.equal(r.resumed, false);
    assert.equal(progress.at(-1), PAYLOAD.length);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! >= progress[i - 1]!);
    assert.ok(!existsSync(`${dest}.part`));
    assert.equal(s.seen[0]!.range, undefined);
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('truncated transfer keeps the .part; the next run resumes with Range and completes', async () => {
  const cut = 1_000_000;
  const s = await serve((req, res, n) => (n === 1 ? sendTruncated(res, cut) : sendFile(req, res)));
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length, sha256: SHA, retries: 0 }),
      (e: Error) => /interrupted/.test(e.message) && e.message.includes(`partial file is kept at ${dest}.part`) && /run the command again to resume/.test(e.message));
    assert.ok(!existsSync(dest));
    const partial = statSync(`${dest}.part`).size;
    assert.ok(partial > 0 && partial <= cut, `part has ${partial} bytes`);
    const r = await downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length, sha256: SHA, retries: 0 });
    assert.equal(s.seen[1]!.range, `bytes=${partial}-`);
    assert.equal(r.resumed, true);
    assert.deepEqual(readFileSync(dest), PAYLOAD);
    assert.ok(!existsSync(`${dest}.part`));
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('an interrupted transfer is retried automatically within one call, resuming', async () => {
  const s = await serve((req, res, n) => (n === 1 ? sendTruncated(res, 200_000) : sendFile(req, res)));
  const { dir, dest } = tmp();
  try {
    const r = await downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length, sha256: SHA, retries: 2, retryDelayMs: 5 });
    assert.equal(s.seen.length, 2);
    assert.match(s.seen[1]!.range ?? '', /^bytes=[1-9]\d*-$/);
    assert.equal(r.resumed, true);
    assert.deepEqual(readFileSync(dest), PAYLOAD);
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('a server that ignores Range (answers 200) makes the download restart cleanly', async () => {
  const s = await serve((_req, res) => { res.writeHead(200, { 'content-length': PAYLOAD.length }); res.end(PAYLOAD); });
  const { dir, dest } = tmp();
  try {
    writeFileSync(`${dest}.part`, Buffer.alloc(5000, 7)); // stale bytes that must not survive
    const r = await downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length, sha256: SHA });
    assert.equal(s.seen[0]!.range, 'bytes=5000-');
    assert.equal(r.resumed, false);
    assert.deepEqual(readFileSync(dest), PAYLOAD);
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('corrupted bytes: sha256 error, nothing left at the destination or as .part', async () => {
  const bad = Buffer.from(PAYLOAD);
  bad[12345]! ^= 1;
  const s = await serve((req, res) => sendFile(req, res, bad));
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length, sha256: SHA }),
      new RegExp(`is corrupt: sha256 [0-9a-f]{64}, expected ${SHA}; the corrupt file was deleted`));
    assert.ok(!existsSync(dest));
    assert.ok(!existsSync(`${dest}.part`));
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('a longer file than expected is a size error and is deleted', async () => {
  const s = await serve((req, res) => sendFile(req, res, Buffer.concat([PAYLOAD, Buffer.alloc(10)])));
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length }), /serves a file of 3145861 bytes, expected 3145851 \(a different file\?\); nothing was kept/);
    assert.ok(!existsSync(dest) && !existsSync(`${dest}.part`));
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('without Content-Length (chunked), a longer body is caught by the final size check and deleted', async () => {
  const s = await serve((_req, res) => { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.write(PAYLOAD); res.write(Buffer.alloc(7)); res.end(); });
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(`${s.base}/file`, dest, { size: PAYLOAD.length }), /is 3145858 bytes, expected 3145851; the file was deleted/);
    assert.ok(!existsSync(dest) && !existsSync(`${dest}.part`));
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('connection refused is retried, then reported without leaving files', async () => {
  const s = await serve((req, res) => sendFile(req, res));
  const url = `${s.base}/file`;
  await s.close(); // nothing listens there any more
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(url, dest, { retries: 2, retryDelayMs: 1 }),
      new RegExp(`^Error: download of ${url.replace(/[.]/g, '\\.')} failed after 3 attempt\\(s\\): request failed: .*ECONNREFUSED`));
    assert.ok(!existsSync(dest) && !existsSync(`${dest}.part`));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('HTTP 404 is a clear, immediate error', async () => {
  const s = await serve((_req, res) => { res.writeHead(404, 'Not Found'); res.end('nope'); });
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(`${s.base}/missing`, dest, { retries: 3, retryDelayMs: 1 }),
      { message: `download failed: HTTP 404 Not Found from ${s.base}/missing` });
    assert.equal(s.seen.length, 1, 'a 404 is not retried');
    assert.ok(!existsSync(dest) && !existsSync(`${dest}.part`));
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

const DRIVE_ID = '1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH';

function warningPage(): string {
  return `<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>
<p>Google Drive can't scan this file for viruses.</p>
<form id="download-form" action="/download" method="get">
<input type="submit" id="uc-download-link" class="goog-inline-block jfk-button" value="Download anyway"/>
<input type="hidden" name="id" value="${DRIVE_ID}"><input type="hidden" name="export" value="download">
<input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="8f2c&#45;uuid&amp;x"></form></body></html>`;
}

test('Google Drive: the virus-scan warning form is followed and the file downloaded', async () => {
  const s = await serve((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/download' && u.searchParams.get('uuid') === '8f2c-uuid&x' && u.searchParams.get('id') === DRIVE_ID) {
      sendFile(req, res);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'NID=abc; Path=/' });
    res.end(warningPage());
  });
  const { dir, dest } = tmp();
  try {
    const url = googleDriveDownloadUrl(DRIVE_ID, s.base);
    assert.equal(url, `${s.base}/download?id=${DRIVE_ID}&export=download&confirm=t`);
    await downloadFile(url, dest, { size: PAYLOAD.length, sha256: SHA, interstitial: googleDriveConfirmation });
    assert.deepEqual(readFileSync(dest), PAYLOAD);
    assert.equal(s.seen.length, 2);
    assert.equal(s.seen[1]!.cookie, 'NID=abc', 'cookies from the warning page are sent back');
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('Google Drive: a page without a confirmation (quota exceeded) is a clear error', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><head><title>Google Drive - Quota exceeded</title></head><body>Too many users have viewed or downloaded this file recently.</body></html>');
  });
  const { dir, dest } = tmp();
  try {
    await assert.rejects(downloadFile(`${s.base}/download?id=x`, dest, { interstitial: googleDriveConfirmation }),
      /answered with an HTML page \("Google Drive - Quota exceeded"\) instead of the file/);
    assert.ok(!existsSync(dest) && !existsSync(`${dest}.part`));
  } finally { await s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('Google Drive: older confirm links and download_warning cookies are understood', () => {
  const page = 'https://drive.google.com/uc?export=download&id=ABC';
  assert.equal(googleDriveConfirmation({ url: page, cookies: new Map(), html: '<a id="uc-download-link" href="/uc?export=download&amp;confirm=Xy_z&amp;id=ABC">Download anyway</a>' }),
    'https://drive.google.com/uc?export=download&confirm=Xy_z&id=ABC');
  assert.equal(googleDriveConfirmation({ url: page, cookies: new Map([['download_warning_13058876669334088843_ABC', 'tok3n']]), html: '<html></html>' }),
    'https://drive.google.com/uc?export=download&id=ABC&confirm=tok3n');
  assert.equal(googleDriveConfirmation({ url: page, cookies: new Map(), html: '<form action="/search"><input type="text" name="q"></form>' }), undefined);
});
