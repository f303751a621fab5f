/**
 * End-to-end test of the demo page: build it with Vite, serve it with the isolation
 * headers, open it in Debian's headless Chromium, process a fixture photo through the file
 * input, and compare what the page reports with the Node pipeline on the same image, model
 * and face box. Needs `/usr/bin/chromium` (`apt-get install -y chromium`).
 */
import test from 'node:test';
import { parsePts } from '../../src/io/pts.js';
import { parseNpy } from '../../src/io/npy.js';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { decodeGlbFrames } from '../io/glbFrames.js';
import { weldStl, assertClosedSurface } from '../print/closedSurface.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemo, type BuiltChunk, type BuiltinImport } from '../../scripts/buildDemo.js';
import { serveDemo } from '../../scripts/serveDemo.js';
import { REPO_ROOT, demoRoutes } from '../../scripts/demoAssets.js';
import { launchDemoBrowser } from '../../scripts/demoBrowser.js';
import { demoModelBytes } from '../../scripts/makeDemoModel.js';
import { PRNet } from '../../src/node/inference/prnet.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import sharp from 'sharp';
import { applyFaceTexture } from '../../src/apps/applyFaceTexture.js';
import { alignFace } from '../../src/face/alignFace.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo1.jpg', import.meta.url));
/** A face held nearly upright (9° of roll): crops from the detector and from the photo's pipeline are the same. */
const uprightPhoto = fileURLToPath(new URL('../../../shared/fixtures/photos/photo4.jpg', import.meta.url));

function iou(a: number[], b: number[]): number {
  const x0 = Math.max(a[0]!, b[0]!), y0 = Math.max(a[1]!, b[1]!);
  const x1 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!), y1 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a[2]! * a[3]! + b[2]! * b[3]! - inter);
}

/** Node-only code that must never reach the browser bundle. */
const FORBIDDEN_MODULE = /(^node:|\/src\/node\/|\/src\/cli\/|\/node_modules\/(sharp|@img|onnxruntime-node|commander|cli-progress)\/)/;

function checkBundle(chunks: BuiltChunk[], builtinImports: BuiltinImport[]): void {
  assert.ok(chunks.length > 0, 'the build produced no JavaScript');
  const emitted = new Set(chunks.map((c) => c.fileName));
  for (const chunk of chunks) {
    const bad = chunk.moduleIds.filter((id) => FORBIDDEN_MODULE.test(id));
    assert.deepEqual(bad, [], `${chunk.fileName} bundles Node-only modules`);
    // Every import left in a chunk is another emitted chunk: nothing is external.
    for (const imp of chunk.imports) assert.ok(emitted.has(imp), `${chunk.fileName} imports ${imp}, which is not part of the bundle`);
    // No static or dynamic import of a Node module in the shipped code.
    assert.doesNotMatch(chunk.code, /\bfrom\s*["'](node:[a-z_/]+|fs|path|sharp|onnxruntime-node)["']/, `${chunk.fileName} imports a Node module`);
    assert.doesNotMatch(chunk.code, /\bimport\(\s*["'](node:[a-z_/]+|sharp|onnxruntime-node)["']\s*\)/, `${chunk.fileName} dynamically imports a Node module`);
  }
  // Node built-ins asked for by bundled code become Vite's empty stub. Only dependencies'
  // environment-guarded code may ask (glTF Transform's NodeIO, Emscripten glue behind
  // ENVIRONMENT_IS_NODE, tfjs-core's Node platform file, seedrandom's optional crypto) — never one of our own files.
  const allowed = /\/node_modules\/(@gltf-transform\/core\/|@tensorflow\/tfjs-backend-wasm\/|@tensorflow\/tfjs-core\/dist\/platforms\/platform_node\.js$|seedrandom\/|onnxruntime-web\/)/;
  assert.ok(builtinImports.length > 0, 'the built-in recorder saw nothing: is it still wired into the build?');
  const bad = builtinImports.filter((b) => !allowed.test(b.importer));
  assert.deepEqual(bad, [], 'bundled code imports Node built-ins');
}

test('demo page: bundle is browser-only, and the page reconstructs photo1 like the Node pipeline', { timeout: 180_000 }, async (t) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-web-'));
  const outDir = path.join(work, 'site');
  const modelDir = path.join(work, 'models');
  const modelBytes = demoModelBytes('resfcn128-light');
  await import('node:fs/promises').then((fs) => fs.mkdir(modelDir, { recursive: true }));
  await writeFile(path.join(modelDir, 'test-light.onnx'), modelBytes);

  const { chunks, builtinImports } = await buildDemo(outDir, { quiet: true });
  checkBundle(chunks, builtinImports);

  const routes = demoRoutes(dataDir).map((r) => (r.prefix === '/models/' ? { ...r, dirs: [modelDir] } : r));
  const server = await serveDemo({ root: outDir, routes });
  const browser = await launchDemoBrowser();
  t.after(async () => {
    await browser.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  const { page } = browser;
  const fail = (what: string) => `${what}\n--- browser log ---\n${browser.logs.join('\n')}`;

  // The page must be cross-origin isolated (threads) and load everything over our server.
  const response = await page.goto(`${server.url}?model=models/test-light.onnx&data=uv-data`);
  assert.equal(response?.headers()['cross-origin-embedder-policy'], 'require-corp');
  await page.waitForFunction(() => window.__prnetReady || window.__prnetError, null, { timeout: 60_000 }).catch(() => undefined);
  const state = await page.evaluate(() => ({ error: window.__prnetError, info: window.__prnetInfo, assets: window.__prnetAssetsSummary, cores: navigator.hardwareConcurrency }));
  assert.equal(state.error, undefined, fail(`page failed to load: ${state.error}`));
  assert.ok(state.info, fail('page never became ready'));
  assert.equal(state.info.isolated, true, 'page is not cross-origin isolated');
  // One core is left to the rest of the frame; onnxruntime-web in its worker unless ?worker=0.
  assert.equal(state.info.inWorker, true, 'onnxruntime-web should run in its worker (ortWebWorker.ts emitted by the bundle)');
  assert.equal(state.info.threads, Math.max(1, state.cores - 1), 'onnxruntime-web should use the cores the page leaves');
  assert.equal(state.info.inputSize, 128);
  assert.equal(state.info.detectorBackend, 'tfjs-wasm');

  // UV assets parsed in the browser (PNG masks decoded by canvas) equal Node's (sharp).
  const assets = await loadUvAssets({ dataDir, download: false });
  const sum = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s;
  };
  assert.equal(state.assets!.faceIndices, sum(assets.faceIndices));
  assert.equal(state.assets!.keypointIndices, sum(assets.keypointIndices));
  assert.equal(state.assets!.triangles, assets.triangles.length);
  assert.equal(state.assets!.faceMask, sum(assets.faceMask));
  assert.equal(state.assets!.eyesMask, sum(assets.eyesMask));
  assert.ok(Math.abs(state.assets!.weightMask! - sum(assets.weightMask)) < 1e-3 * sum(assets.weightMask), 'weight mask differs');
  assert.ok(Math.abs(state.assets!.canonicalVertices! - sum(assets.canonicalVertices)) < 1e-3 * Math.abs(sum(assets.canonicalVertices)), 'canonical vertices differ');

  await page.setInputFiles('#file', photo);
  await page.waitForFunction(() => window.__prnetLastResult, null, { timeout: 60_000 });
  const result = (await page.evaluate(() => window.__prnetLastResult))!;
  assert.equal(result.image.width, 227, fail('wrong image size'));
  assert.equal(result.faces.length, 1, fail('expected one face in photo1'));
  const detected = result.faces[0]!;
  t.diagnostic(`browser timings (ms): ${JSON.stringify(result.timings, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`);

  const prn = await PRNet.load({ model: modelBytes, dataDir, download: false, threads: 1 });
  try {
    // Same detector (BlazeFace, same weights) on independently decoded pixels: nearly the same box.
    const nodeDetections = await (await prn.detector()).detect(await decodeImage(photo));
    assert.equal(nodeDetections.length, 1);
    const overlap = iou(detected.box, nodeDetections[0]!.box);
    assert.ok(overlap > 0.9, `browser box ${detected.box} vs Node box ${nodeDetections[0]!.box}: IoU ${overlap}`);
    assert.ok(Math.abs(detected.score - nodeDetections[0]!.score) < 0.05, `detector scores ${detected.score} vs ${nodeDetections[0]!.score}`);
    // The downloads carry this face.
    const download = async (id: string) => {
      // A DOM click: Playwright's click would first wait for the page to be idle (the viewer's render).
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }).catch((err: Error) => assert.fail(fail(`${id}: ${err.message}`))), page.locator(id).dispatchEvent('click')]);
      return { name: dl.suggestedFilename(), bytes: await readFile((await dl.path())!) };
    };
    const glb = await download('#download-glb');
    assert.equal(glb.name, 'photo1.glb');
    assert.equal(glb.bytes.subarray(0, 4).toString('latin1'), 'glTF');
    assert.equal(glb.bytes.readUInt32LE(8), glb.bytes.length, 'GLB length field');
    const obj = await download('#download-obj');
    const text = obj.bytes.toString('utf8');
    assert.equal((text.match(/^v /gm) ?? []).length, 43867);
    assert.equal((text.match(/^f /gm) ?? []).length, 86907);
    const json = JSON.parse((await download('#download-json')).bytes.toString('utf8')) as { faces: Array<{ landmarks: number[][] }> };
    assert.equal(json.faces.length, 1);
    assert.ok(Math.abs(json.faces[0]!.landmarks[30]![0]! - detected.landmarks[90]!) < 0.01, 'JSON landmarks are the reported ones');
    const stl = await download('#download-stl');
    assert.equal(stl.name, 'photo1.stl');
    const welded = weldStl(new Uint8Array(stl.bytes));
    assertClosedSurface(welded.vertices, welded.triangles);
    const pts = await download('#download-pts');
    assert.equal(pts.name, 'photo1.pts');
    const ptsPoints = parsePts(pts.bytes.toString('utf8'));
    assert.ok(Math.abs(ptsPoints[60]! - detected.landmarks[90]!) < 0.001, 'the .pts holds the reported landmarks');
    // The aligned face: the page's picture from its own landmarks, as the Node library makes it from the same landmarks.
    const aligned = await download('#download-aligned');
    assert.equal(aligned.name, 'photo1_aligned.png');
    const chip = await sharp(aligned.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([chip.info.width, chip.info.height], [112, 112]);
    const nodeChip = alignFace(await decodeImage(photo), detected.landmarks);
    let chipDiff = 0;
    for (let i = 0; i < chip.data.length; i++) chipDiff += Math.abs(chip.data[i]! - nodeChip.image.data[i]!);
    // The page decodes the JPEG with the browser's decoder, Node with libvips: the same pixels here (0.00 apart), a grey level on average at most.
    assert.ok(chipDiff / chip.data.length < 1, `aligned: mean difference ${(chipDiff / chip.data.length).toFixed(2)} grey levels`);
    t.diagnostic(`aligned face: page vs Node mean difference ${(chipDiff / chip.data.length).toFixed(2)} grey levels`);
    const posmap = await download('#download-posmap');
    assert.equal(posmap.name, 'photo1_posmap.npy');
    const map = parseNpy(posmap.bytes);
    assert.deepEqual([map.dtype, map.shape], ['float32', [256, 256, 3]]);
    const kp = assets.keypointIndices[30]!;
    assert.ok(Math.abs((map.data as Float32Array)[kp * 3]! - detected.landmarks[90]!) < 1e-3, 'the map holds the reported landmarks');
    // The 3D viewer drew the mesh: its canvas is not just the background.
    const lit = await page.evaluate(async () => {
      // The viewer renders on the next animation frame.
      for (let i = 0; i < 2; i++) await new Promise(requestAnimationFrame);
      const src = document.querySelector('#viewer canvas') as HTMLCanvasElement;
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(src, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! + d[i + 1]! + d[i + 2]! > 3 * 40) n++;
      return n / (d.length / 4);
    });
    assert.ok(lit > 0.002, `the 3D viewer shows nothing (${(lit * 100).toFixed(2)} % lit pixels)`);
    const shot = process.env.PRNET_DEMO_SCREENSHOT ?? path.join(work, 'demo.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    // The pipeline itself, isolated from detector differences (and from the random network's
    // sensitivity to them): the same user box on both sides.
    const box: [number, number, number, number] = [50, 45, 132, 134];
    const rerun = await page.evaluate((b) => window.__prnetRerun!(b), box);
    const face = rerun.faces[0]!;
    assert.deepEqual(face.box, box);
    const { faces: [nodeFace] } = await prn.reconstruct(photo, { box });
    assert.ok(nodeFace);
    let maxDiff = 0, spreadX = 0;
    let minX = Infinity, maxX = -Infinity;
    for (let i = 0; i < 68 * 3; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(face.landmarks[i]! - nodeFace.landmarks[i]!));
      if (i % 3 === 0) { minX = Math.min(minX, face.landmarks[i]!); maxX = Math.max(maxX, face.landmarks[i]!); }
    }
    spreadX = maxX - minX;
    t.diagnostic(`landmarks: max |browser − Node| = ${maxDiff.toFixed(3)} px; x spread ${spreadX.toFixed(1)} px`);
    // A degenerate output (all 68 points in one place) would make the comparison blind.
    assert.ok(spreadX > 5, `landmarks are degenerate (x spread ${spreadX} px)`);
    assert.ok(maxDiff < 2, `browser and Node landmarks differ by ${maxDiff} px`);
    assert.ok(Math.abs(face.pose!.yaw - nodeFace.pose!.yaw) < 2, `yaw ${face.pose!.yaw} vs ${nodeFace.pose!.yaw}`);

    // Texture editing: the UV texture out, a painted patch on a transparent layer back in; the
    // page's texture and edited photo are what the Node library makes of the same face.
    // Both sides on the same user box as above.
    const nodeImage = await decodeImage(photo);
    const [texFace] = (await prn.reconstruct(nodeImage, { box, outputs: { texture: 'filled' } })).faces;
    const uvPng = await download('#download-uv');
    assert.equal(uvPng.name, 'photo1_texture.png');
    const own = await sharp(uvPng.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([own.info.width, own.info.height, own.info.channels], [256, 256, 3]);
    let texelDiff = 0;
    for (let i = 0; i < own.data.length; i++) texelDiff = Math.max(texelDiff, Math.abs(own.data[i]! - texFace!.texture!.data[i]!));
    assert.ok(texelDiff <= 3, `UV texture: page vs Node differ by up to ${texelDiff}`);
    const layer = Buffer.alloc(256 * 256 * 4);
    const alpha = new Uint8Array(256 * 256);
    for (let t = 0; t < 256 * 256; t++) {
      const inSquare = t % 256 >= 96 && t % 256 < 160 && Math.floor(t / 256) >= 120 && Math.floor(t / 256) < 184;
      alpha[t] = inSquare ? 255 : 0;
      layer.set(inSquare ? [20, 40, 230, 255] : [own.data[3 * t]!, own.data[3 * t + 1]!, own.data[3 * t + 2]!, 0], 4 * t);
    }
    const layerFile = path.join(work, 'edited_texture.png');
    await sharp(layer, { raw: { width: 256, height: 256, channels: 4 } }).png().toFile(layerFile);
    await page.setInputFiles('#apply-texture', layerFile);
    await page.waitForFunction(() => window.__prnetEdited !== undefined, undefined, { timeout: 30_000 }).catch((err: Error) => assert.fail(fail(`apply texture: ${err.message}`)));
    const editedInfo = await page.evaluate(() => window.__prnetEdited!);
    t.diagnostic(`texture applied in the page: ${Math.round(editedInfo.ms)} ms, ${editedInfo.changed} pixels changed`);
    const editedPng = await download('#download-edited');
    assert.equal(editedPng.name, 'photo1_edited.png');
    const pagePixels = (await sharp(editedPng.bytes).raw().toBuffer({ resolveWithObject: true })).data;
    const texture = { width: 256, height: 256, data: Uint8Array.from({ length: 3 * 256 * 256 }, (_, i) => layer[4 * Math.floor(i / 3) + (i % 3)]!) };
    const nodeEdited = applyFaceTexture(nodeImage, texFace!, texture, prn.assets, { alpha }).image;
    let changed = 0, far = 0;
    for (let p = 0; p < nodeImage.width * nodeImage.height; p++) {
      if ([0, 1, 2].some((c) => pagePixels[3 * p + c] !== nodeImage.data[3 * p + c])) changed++;
      if ([0, 1, 2].some((c) => Math.abs(pagePixels[3 * p + c]! - nodeEdited.data[3 * p + c]!) > 3)) far++;
    }
    assert.equal(changed, editedInfo.changed, 'the file is the photo the page showed');
    assert.ok(changed > 0, 'the texture changed the photo');
    assert.ok(far <= Math.max(2, 0.02 * changed), `${far} of ${changed} changed pixels differ from the Node result by more than 3`);

    // The mirror-averaging checkbox: the same box, against Node's flipAverage.
    const mirrored = (await page.evaluate((b) => {
      (document.getElementById('flip') as HTMLInputElement).checked = true;
      return window.__prnetRerun!(b);
    }, box)).faces[0]!;
    const prnFlip = await PRNet.load({ model: modelBytes, dataDir, download: false, threads: 1, flipAverage: true });
    try {
      const { faces: [nodeMirrored] } = await prnFlip.reconstruct(photo, { box });
      let flipDiff = 0, moved = 0;
      for (let i = 0; i < 68 * 3; i++) {
        flipDiff = Math.max(flipDiff, Math.abs(mirrored.landmarks[i]! - nodeMirrored!.landmarks[i]!));
        moved = Math.max(moved, Math.abs(mirrored.landmarks[i]! - face.landmarks[i]!));
      }
      assert.ok(moved > 0.5, `mirror averaging changed nothing (${moved} px)`);
      assert.ok(flipDiff < 2, `mirror-averaged browser and Node landmarks differ by ${flipDiff} px`);
    } finally {
      await prnFlip.dispose();
    }

    // The detector on onnxruntime-web (`?detector=onnx`): on the same canvas-decoded pixels
    // it finds the box tfjs-wasm found, to a thousandth of a pixel.
    // On the page's thread (?worker=0), where the page above ran the network in onnxruntime-web's worker.
    await page.goto(`${server.url}?model=models/test-light.onnx&data=uv-data&detector=onnx&worker=0`);
    await page.waitForFunction(() => window.__prnetReady || window.__prnetError, null, { timeout: 60_000 }).catch(() => undefined);
    const onnxState = await page.evaluate(() => ({ error: window.__prnetError, info: window.__prnetInfo }));
    assert.equal(onnxState.error, undefined, fail(`page with the ONNX detector failed to load: ${onnxState.error}`));
    assert.equal(onnxState.info?.detectorBackend, 'onnxruntime-web');
    assert.equal(onnxState.info?.inWorker, false, '?worker=0 keeps onnxruntime-web on the page\'s thread');
    await page.setInputFiles('#file', photo);
    await page.waitForFunction(() => window.__prnetLastResult, null, { timeout: 60_000 });
    const onnxResult = (await page.evaluate(() => window.__prnetLastResult))!;
    assert.equal(onnxResult.faces.length, 1, fail('ONNX detector: expected one face in photo1'));
    const boxDiff = Math.max(...onnxResult.faces[0]!.box.map((v, i) => Math.abs(v - detected.box[i]!)));
    t.diagnostic(`browser detector, onnxruntime-web vs tfjs-wasm: boxes differ by ${boxDiff.toExponential(2)} px`);
    assert.ok(boxDiff < 1e-3, `onnxruntime-web box ${onnxResult.faces[0]!.box} vs tfjs-wasm ${detected.box}`);
    // The network on the page's thread: the landmarks of the worker run, up to that box
    // difference, which photo1's upright re-crop (its face is rolled 40°) carries into a second run.
    const landmarkDiff = Math.max(...onnxResult.faces[0]!.landmarks.map((v, i) => Math.abs(v - detected.landmarks[i]!)));
    t.diagnostic(`network on the page's thread vs in the worker: landmarks differ by ${landmarkDiff.toExponential(2)} px`);
    assert.ok(landmarkDiff < 0.1, `worker landmarks differ by ${landmarkDiff} px`);
    // A Netpbm photo, which no browser decodes: the page reads it with prnet's own decoder.
    const { data: ppmPixels, info: ppmInfo } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const ppm = path.join(await mkdtemp(path.join(os.tmpdir(), 'prnet-ppm-')), 'photo1.ppm');
    await writeFile(ppm, Buffer.concat([Buffer.from(`P6\n${ppmInfo.width} ${ppmInfo.height}\n255\n`), ppmPixels]));
    await page.setInputFiles('#file', ppm);
    await page.waitForFunction(() => window.__prnetLastResult?.image.name === 'photo1.ppm', null, { timeout: 60_000 });
    const ppmResult = (await page.evaluate(() => window.__prnetLastResult))!;
    assert.deepEqual([ppmResult.image.width, ppmResult.faces.length], [227, 1], fail('the PPM photo'));
    const ppmDiff = Math.max(...ppmResult.faces[0]!.landmarks.map((v, i) => Math.abs(v - onnxResult.faces[0]!.landmarks[i]!)));
    t.diagnostic(`PPM vs JPEG of photo1 in the page: landmarks differ by ${ppmDiff.toFixed(3)} px`);
    assert.ok(ppmDiff < 2, `PPM landmarks differ from the JPEG's by ${ppmDiff} px`);
  } finally {
    await prn.dispose();
  }
});

/**
 * A camera for Chromium (`--use-file-for-fake-video-capture`): photo1 jittered by a few
 * pixels from frame to frame, as a still face in front of a noisy webcam. Undefined without ffmpeg.
 */
function jitteredCamera(file: string): string | undefined {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-vf', "scale=360:360,crop=320:240:x='20+5*mod(n,3)':y='60+4*mod(n,2)'", '-frames:v', '12', '-r', '30', '-pix_fmt', 'yuv420p', file]);
  return r.status === 0 ? file : undefined;
}

test('demo page: the webcam loop runs frame after frame, shows its fps, smooths with prnet video\'s filter unless "smooth" is unticked, and records the followed face as an animated GLB', { timeout: 150_000 }, async (t) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-webcam-'));
  const outDir = path.join(work, 'site');
  const modelDir = path.join(work, 'models');
  await import('node:fs/promises').then((fs) => fs.mkdir(modelDir, { recursive: true }));
  // The shipped model: the loop is prnet video's tracker, which drops a face whose landmarks
  // jump or leave the picture, as a random network's do.
  await copyFile(path.join(REPO_ROOT, 'models', 'default.onnx'), path.join(modelDir, 'default.onnx'));
  await buildDemo(outDir, { quiet: true });
  const routes = demoRoutes(dataDir).map((r) => (r.prefix === '/models/' ? { ...r, dirs: [modelDir] } : r));
  const server = await serveDemo({ root: outDir, routes });
  // A camera granted without a prompt: the jittered photo, or Chromium's synthetic one (no face) without ffmpeg.
  const camera = jitteredCamera(path.join(work, 'camera.y4m'));
  const browser = await launchDemoBrowser({ extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', ...(camera ? [`--use-file-for-fake-video-capture=${camera}`] : [])] });
  t.after(async () => {
    await browser.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  const { page } = browser;
  await page.goto(`${server.url}?model=models/default.onnx`);
  await page.waitForFunction(() => window.__prnetReady || window.__prnetError, null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.__prnetError), undefined);
  // The toggle, on by default.
  assert.equal(await page.locator('#smooth').isChecked(), true);
  assert.equal(await page.locator('#fps').count(), 1);
  await page.locator('#webcam').dispatchEvent('click');
  // Three frames processed: the status line shows the loop's rate.
  await page.waitForFunction(() => /webcam: .* fps/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 60_000 });
  const seen = (await page.evaluate(() => window.__prnetFrames))!;
  await page.waitForFunction((n) => (window.__prnetFrames ?? 0) >= n + 2, seen, { timeout: 60_000 });
  const result = (await page.evaluate(() => window.__prnetLastResult))!;
  assert.equal(result.image.name, 'webcam');
  assert.ok(result.image.width > 0 && result.image.height > 0);
  // The fps readout is written again frame after frame.
  const fpsPattern = /^\d+\.\d fps$/;
  assert.match((await page.textContent('#fps')) ?? '', fpsPattern);
  await page.evaluate(() => { document.getElementById('fps')!.textContent = 'stale'; });
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('fps')?.textContent ?? ''), fpsPattern.source, { timeout: 30_000 });
  t.diagnostic(`webcam frame ${result.image.width}×${result.image.height}: ${await page.textContent('#status')} · readout ${await page.textContent('#fps')}`);
  if (camera) {
    // Smoothing on: after the first frame of a face, the shown landmarks are not the network's.
    const smoothed = await page.waitForFunction(() => {
      const f = window.__prnetLastResult?.faces[0];
      return f?.rawLandmarks && f.landmarks.some((v, i) => Math.abs(v - f.rawLandmarks![i]!) > 1e-3) ? f : undefined;
    }, null, { timeout: 60_000 });
    const face = (await smoothed.jsonValue())!;
    assert.equal(face.landmarks.length, 204);
    t.diagnostic(`smoothing moved landmark 0 from ${face.rawLandmarks!.slice(0, 2).map((v) => v.toFixed(2)).join(', ')} to ${face.landmarks.slice(0, 2).map((v) => v.toFixed(2)).join(', ')}`);
    // Unticked: the page shows the network's landmarks (no raw copy beside them).
    await page.locator('#smooth').uncheck();
    const after = (await page.evaluate(() => window.__prnetFrames))!;
    await page.waitForFunction((n) => (window.__prnetFrames ?? 0) >= n + 2 && (window.__prnetLastResult?.faces.length ?? 0) > 0, after, { timeout: 60_000 });
    const plain = (await page.evaluate(() => window.__prnetLastResult))!;
    assert.equal(plain.faces[0]!.rawLandmarks, undefined);
    // AR glasses: drawn through the face's perspective pose (face.camera), around its eyes.
    const gold = () => page.evaluate(() => {
      const c = document.getElementById('photo') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0, sx = 0, sy = 0;
      for (let p = 0; p < d.length / 4; p++) {
        if (d[4 * p]! > 230 && d[4 * p + 1]! > 165 && d[4 * p + 1]! < 220 && d[4 * p + 2]! < 60) { n++; sx += p % c.width; sy += Math.floor(p / c.width); }
      }
      // The picture and the result of the same frame, read in one task.
      return { n, x: sx / n, y: sy / n, landmarks: window.__prnetLastResult?.faces[0]?.landmarks };
    });
    const plainGold = await gold();
    await page.locator('#glasses').check();
    const ticked = (await page.evaluate(() => window.__prnetFrames))!;
    await page.waitForFunction((n) => (window.__prnetFrames ?? 0) >= n + 2 && (window.__prnetLastResult?.faces.length ?? 0) > 0, ticked, { timeout: 60_000 });
    const withGlasses = await gold();
    const lm = withGlasses.landmarks!;
    const eye = (from: number) => [0, 1].map((c) => { let sum = 0; for (let i = from; i < from + 6; i++) sum += lm[3 * i + c]!; return sum / 6; });
    const [le, re] = [eye(36), eye(42)];
    const gap = Math.hypot(re[0]! - le[0]!, re[1]! - le[1]!);
    const off = Math.hypot(withGlasses.x - (le[0]! + re[0]!) / 2, withGlasses.y - (le[1]! + re[1]!) / 2);
    t.diagnostic(`glasses: ${plainGold.n} → ${withGlasses.n} gold pixels, their centre ${off.toFixed(1)} px from mid-eyes (eyes ${gap.toFixed(1)} px apart)`);
    assert.ok(withGlasses.n - plainGold.n > 100, `glasses drawn: ${plainGold.n} → ${withGlasses.n} gold pixels`);
    assert.ok(off < 0.5 * gap, 'the glasses sit around the eyes');
    await page.locator('#glasses').uncheck();
    // Record GLB: the followed face over a few frames, saved as one animated GLB whose every
    // frame is a face mesh on the camera's picture.
    await page.locator('#smooth').check();
    await page.locator('#record').dispatchEvent('click');
    const from = (await page.evaluate(() => window.__prnetFrames))!;
    await page.waitForFunction((n) => (window.__prnetFrames ?? 0) >= n + 4, from, { timeout: 60_000 });
    const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('#record').dispatchEvent('click')]);
    assert.equal(saved.suggestedFilename(), 'webcam.glb');
    const glb = new Uint8Array(await readFile((await saved.path())!));
    const summary = (await page.evaluate(() => window.__prnetRecording))!;
    assert.ok(summary.frames >= 3, `${summary.frames} frames recorded`);
    assert.equal(summary.bytes, glb.length);
    const { validateBytes } = createRequire(import.meta.url)('gltf-validator') as { validateBytes(d: Uint8Array): Promise<{ issues: { numErrors: number } }> };
    assert.equal((await validateBytes(glb)).issues.numErrors, 0);
    const shown = await decodeGlbFrames(glb);
    assert.equal(shown.length, summary.frames);
    for (const [k, v] of shown.entries()) {
      // mm → px, y up from the bottom of the 320×240 picture: the face lies on it.
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (let i = 0; i < v.length; i += 3) {
        x0 = Math.min(x0, v[i]! * 1000); x1 = Math.max(x1, v[i]! * 1000);
        y0 = Math.min(y0, v[i + 1]! * 1000); y1 = Math.max(y1, v[i + 1]! * 1000);
      }
      assert.ok(x0 > -40 && x1 < 360 && y0 > -40 && y1 < 280 && x1 - x0 > 60, `frame ${k}: face spans x ${x0.toFixed(0)}…${x1.toFixed(0)}, y ${y0.toFixed(0)}…${y1.toFixed(0)}`);
    }
    t.diagnostic(`recorded ${summary.frames} frames over ${summary.seconds.toFixed(2)} s, ${glb.length} bytes`);

    // Face paint: a texture applied while the webcam runs is painted on the face in every frame, until ×.
    const paintFile = path.join(work, 'paint.png');
    await sharp({ create: { width: 256, height: 256, channels: 4, background: { r: 20, g: 40, b: 230, alpha: 1 } } }).png().toFile(paintFile);
    await page.setInputFiles('#apply-texture', paintFile);
    await page.waitForFunction(() => (window.__prnetPainted?.frames ?? 0) >= 3, null, { timeout: 60_000 }).catch((err: Error) => assert.fail(`face paint: ${err.message}`));
    const painted = (await page.evaluate(() => window.__prnetPainted))!;
    assert.ok(painted.changed > 100, `the painted frame has ${painted.changed} painted pixels`);
    await page.locator('#clear-paint').dispatchEvent('click');
    const paintedFrames = (await page.evaluate(() => window.__prnetPainted!.frames));
    const framesBefore = (await page.evaluate(() => window.__prnetFrames))!;
    await page.waitForFunction((n) => (window.__prnetFrames ?? 0) >= n + 3, framesBefore, { timeout: 60_000 });
    assert.ok((await page.evaluate(() => window.__prnetPainted!.frames)) <= paintedFrames + 1, 'no more painting after ×');
    t.diagnostic(`face paint: ${painted.frames} frames painted, ${painted.changed} pixels painted in the last`);
  } else {
    t.diagnostic('ffmpeg missing: the synthetic camera has no face, smoothing not checked');
  }
  await page.locator('#webcam').dispatchEvent('click');
  assert.equal(await page.textContent('#webcam'), 'Start webcam');
  assert.equal(await page.textContent('#fps'), '');

  // The loop detecting on every frame (frame k + 1 taken and detected while frame k's network
  // runs in the worker), on a still photo: every frame gives the photo's own face. (A nearly
  // upright face: a rolled one gets an upright re-crop in the photo's pipeline, which the
  // detect-every-frame loop does not run.)
  await page.setInputFiles('#file', uprightPhoto);
  await page.waitForFunction(() => window.__prnetLastResult?.image.name === 'photo4.jpg', null, { timeout: 60_000 });
  const still = (await page.evaluate(() => window.__prnetLastResult))!;
  assert.equal(still.faces.length, 1);
  const loop = await page.evaluate(() => window.__prnetBench!(4, { track: false }));
  assert.equal(loop.length, 4);
  const looped = (await page.evaluate(() => window.__prnetLastResult))!;
  assert.equal(looped.faces.length, 1, 'the detect-every-frame loop lost the face');
  const loopDiff = Math.max(...looped.faces[0]!.landmarks.map((v, i) => Math.abs(v - still.faces[0]!.landmarks[i]!)));
  t.diagnostic(`detect-every-frame loop vs the photo: landmarks differ by ${loopDiff.toExponential(2)} px`);
  assert.ok(loopDiff < 0.01, `detect-every-frame loop landmarks differ from the photo's by ${loopDiff} px`);
});
