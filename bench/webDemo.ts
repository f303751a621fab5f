/**
 * Per-frame time of the demo page's pipeline in headless Chromium (Debian's `chromium`,
 * onnxruntime-web wasm with one thread per core under cross-origin isolation), for the
 * light and the full network: the webcam loop's work (decode a frame, detect or track,
 * crop, network, post-processing, overlays + 3D view) on `photo1.jpg`, medians over frames.
 *
 * ```sh
 * node --import tsx bench/webDemo.ts                     # light + full (random weights unless models/ has them)
 * node --import tsx bench/webDemo.ts --frames 30 --variants resfcn128-light
 * node --import tsx bench/webDemo.ts --variants default --screenshot docs/demo-screenshot.png [--glasses]   # the shipped model
 * node --import tsx bench/webDemo.ts --variants resfcn128-light --detector tfjs,onnx   # BlazeFace on tfjs-wasm, then onnxruntime-web
 * node --import tsx bench/webDemo.ts --variants default --query worker=0                # onnxruntime-web on the page's thread
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemo } from '../scripts/buildDemo.js';
import { serveDemo } from '../scripts/serveDemo.js';
import { launchDemoBrowser } from '../scripts/demoBrowser.js';
import { makeDemoModel } from '../scripts/makeDemoModel.js';
import { REPO_ROOT } from '../scripts/demoAssets.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '20' },
    variants: { type: 'string', default: 'resfcn128-light,resfcn256' },
    photo: { type: 'string', default: path.resolve(REPO_ROOT, '../shared/fixtures/photos/photo1.jpg') },
    screenshot: { type: 'string' },
    detector: { type: 'string', default: 'tfjs' },
    query: { type: 'string' },
    glasses: { type: 'boolean', default: false },
  },
});
const frames = Number(values.frames);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const variants = values.variants.split(',');
// A trained model in models/ wins over the random stand-in of the same name;
// 'default' is the shipped models/default.onnx itself.
const shipped = new Set(variants.filter((v) => existsSync(path.join(REPO_ROOT, 'models', `${v}.onnx`))));
if (variants.includes('default') && !shipped.has('default')) throw new Error('models/default.onnx is missing');
// The random stand-ins first: the server serves the model folders that exist when it starts.
for (const variant of variants) if (!shipped.has(variant)) await makeDemoModel(variant);

const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-webbench-'));
const site = path.join(work, 'site');
await buildDemo(site, { quiet: true });
const server = await serveDemo({ root: site });
const browser = await launchDemoBrowser();
try {
  const { page } = browser;
  for (const variant of variants) for (const detector of values.detector.split(',')) {
    await page.goto(`${server.url}?model=models/${variant}.onnx&detector=${detector}${values.query ? `&${values.query}` : ''}`);
    await page.waitForFunction(() => window.__prnetReady || window.__prnetError, null, { timeout: 120_000 });
    const error = await page.evaluate(() => window.__prnetError);
    if (error) throw new Error(`${variant}: ${error}\n${browser.logs.join('\n')}`);
    const info = await page.evaluate(() => window.__prnetInfo!);
    await page.setInputFiles('#file', values.photo);
    await page.waitForFunction(() => window.__prnetLastResult, null, { timeout: 120_000 });
    await page.evaluate(() => window.__prnetBench!(3)); // warm-up
    console.log(`\n${variant}${shipped.has(variant) ? '' : ' (random weights)'}: ${info.threads} threads, isolated ${info.isolated}, detector ${info.detectorBackend}, ${frames} frames, median ms`);
    // "network": detection (when due), crop and network of a frame, from its start to its
    // result, overlapping the previous frame's post-processing and drawing; "paint": waiting
    // for the browser to draw (2D overlays and the WebGL view: software GL without a GPU);
    // "interval": time between two shown frames, so fps = 1000 / interval.
    console.log('mode                        decode  network  post  render   paint  interval    fps');
    for (const view of [true, false]) for (const track of [false, true]) {
      await page.evaluate((v) => { (document.getElementById('view3d') as HTMLInputElement).checked = v; }, view);
      const t = await page.evaluate(([n, tr]) => window.__prnetBench!(n as number, { track: tr as boolean }), [frames, track] as const);
      const m = (k: keyof (typeof t)[number]) => median(t.map((f) => Number(f[k] ?? 0)));
      const row = [m('decode'), m('network'), m('post'), m('render'), m('paint'), m('total')].map((v) => v.toFixed(1).padStart(6));
      console.log(`${`${track ? 'track landmarks' : 'detect each'}, 3D view ${view ? 'on' : 'off'}`.padEnd(27)} ${row.join('  ')}  ${(1000 / m('total')).toFixed(1).padStart(5)}`);
    }
    await page.evaluate(() => { (document.getElementById('view3d') as HTMLInputElement).checked = true; });
    if (values.screenshot && variant === variants[0] && detector === values.detector.split(',')[0]) {
      if (values.glasses) await page.locator('#glasses').check();
      await page.setInputFiles('#file', values.photo);
      await page.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('face'));
      await page.screenshot({ path: values.screenshot, fullPage: true });
      console.log(`screenshot: ${values.screenshot}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
