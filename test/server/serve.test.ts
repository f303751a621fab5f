/**
 * `prnet serve` on a real listening server on 127.0.0.1 (issue 17): every route, every
 * error code, overload (503 + Retry-After, nothing else, bounded memory), the per-request
 * timeout, and SIGTERM with requests in flight.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { prnetProcess, REPO, type PrnetProcess } from '../support/prnetProcess.js';

const PHOTO = path.resolve(REPO, '../shared/fixtures/photos/photo1.jpg');
const QUEUE_SIZE = 2;
const WORKERS = 1;
const BODY_LIMIT = 300 * 1024;

interface Answer { status: number; headers: Headers; json?: { error?: { code: string; message: string } } & Record<string, unknown>; bytes: Uint8Array }

async function call(base: string, route: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(base + route, init);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, bytes, json: type.startsWith('application/json') ? JSON.parse(Buffer.from(bytes).toString()) : undefined };
}

const post = (base: string, body: BodyInit, query = '', type = 'image/jpeg') => call(base, `/v1/reconstruct${query}`, { method: 'POST', body, headers: { 'content-type': type } });

function assertError(a: Answer, status: number, code: string): void {
  assert.equal(a.status, status, JSON.stringify(a.json));
  assert.equal(a.json?.error?.code, code, JSON.stringify(a.json));
  assert.equal(typeof a.json?.error?.message, 'string');
  assert.doesNotMatch(a.json!.error!.message, /\n\s+at /, 'no stack trace');
}

async function startServer(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ proc: PrnetProcess; base: string }> {
  const proc = prnetProcess(['serve', '--host', '127.0.0.1', '--port', '0', '--workers', String(WORKERS), '--queue-size', String(QUEUE_SIZE), '--body-limit', String(BODY_LIMIT), '--max-pixels', '1000000', ...extra], env);
  const m = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return { proc, base: m[1]! };
}

const metric = (text: string, name: string): number => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};

test('prnet serve: routes, errors, overload, shutdown', { timeout: 300_000 }, async (t) => {
  const photo = await readFile(PHOTO);
  const { proc, base } = await startServer();
  try {
    await t.test('healthz at once; readyz and reconstruct wait for the model', async () => {
      assert.equal((await call(base, '/healthz')).status, 200);
      const early = await call(base, '/readyz');
      if (early.status !== 200) assertError(early, 503, 'not_ready');
      await proc.waitFor(/ready: model/);
      const ready = await call(base, '/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json, { status: 'ready' });
    });

    await t.test('POST /v1/reconstruct raw body: faces, boxes, 68 landmarks, pose, model sha256', async () => {
      const a = await post(base, photo);
      assert.equal(a.status, 200, JSON.stringify(a.json));
      const doc = a.json as { schema: string; model: { name: string; sha256: string }; faces: Array<{ box: number[]; landmarks: number[][]; pose: { yaw: number } }>; image: { width: number } };
      assert.equal(doc.schema, 'prnet-faces/2');
      assert.equal(doc.image.width, 227);
      assert.equal(doc.faces.length, 1);
      assert.equal(doc.faces[0]!.landmarks.length, 68);
      assert.ok(doc.faces[0]!.landmarks.every((p) => p.length === 3 && p.every(Number.isFinite)));
      assert.equal(doc.faces[0]!.box.length, 4);
      assert.ok(Number.isFinite(doc.faces[0]!.pose.yaw));
      const { createHash } = await import('node:crypto');
      const sha = createHash('sha256').update(await readFile(path.join(REPO, 'models/default.onnx'))).digest('hex');
      assert.equal(doc.model.sha256, sha);
      assert.equal(doc.model.name, 'default.onnx');
      assert.equal(a.headers.get('x-prnet-faces'), '1');
      // The landmarks lie on the face the detector boxed.
      const [x, y, w, h] = doc.faces[0]!.box as [number, number, number, number];
      const inside = doc.faces[0]!.landmarks.filter(([lx, ly]) => lx! >= x - 0.2 * w && lx! <= x + 1.2 * w && ly! >= y - 0.2 * h && ly! <= y + 1.2 * h).length;
      assert.ok(inside >= 60, `${inside} of 68 landmarks near the box`);
      // photo1's face is rolled about 40°: by default it is cropped again upright;
      // ?uprightMinRoll=180 keeps the first, axis-aligned crop.
      const axis = (await post(base, photo, '?uprightMinRoll=180')).json as typeof doc;
      const moved = doc.faces[0]!.landmarks.reduce((sum, p, k) => sum + Math.hypot(p[0]! - axis.faces[0]!.landmarks[k]![0]!, p[1]! - axis.faces[0]!.landmarks[k]![1]!), 0) / 68;
      assert.ok(moved > 1, `the upright re-crop moved the landmarks by ${moved} px`);
    });

    await t.test('multipart upload and ?outputs=texture,depth', async () => {
      const form = new FormData();
      form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'photo1.jpg');
      const a = await call(base, '/v1/reconstruct?outputs=texture,depth', { method: 'POST', body: form });
      assert.equal(a.status, 200, JSON.stringify(a.json));
      const doc = a.json as { faces: Array<{ texturePng: string }>; depthPng: string };
      const png = Buffer.from(doc.faces[0]!.texturePng, 'base64');
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(png.readUInt32BE(16), 256, 'texture 256 wide');
      const depth = Buffer.from(doc.depthPng, 'base64');
      assert.equal(depth.readUInt32BE(16), 227, 'depth as wide as the photo');
    });

    await t.test('POST /v1/paint: a UV texture painted onto the face comes back as the edited image; bad parts are 400, a bad texture 422', async () => {
      const sharp = (await import('sharp')).default;
      // The face's own texture (from the JSON answer) with an opaque blue square, transparent elsewhere.
      const form0 = new FormData();
      form0.append('image', new Blob([photo], { type: 'image/jpeg' }), 'photo1.jpg');
      const own = await sharp(Buffer.from(((await call(base, '/v1/reconstruct?outputs=texture', { method: 'POST', body: form0 })).json as { faces: Array<{ texturePng: string }> }).faces[0]!.texturePng, 'base64')).raw().toBuffer();
      const layer = Buffer.alloc(256 * 256 * 4);
      for (let t = 0; t < 256 * 256; t++) {
        const inSquare = t % 256 >= 165 && t % 256 < 205 && Math.floor(t / 256) >= 130 && Math.floor(t / 256) < 170;
        layer.set(inSquare ? [20, 40, 230, 255] : [own[3 * t]!, own[3 * t + 1]!, own[3 * t + 2]!, 0], 4 * t);
      }
      const texture = await sharp(layer, { raw: { width: 256, height: 256, channels: 4 } }).png().toBuffer();
      const form = (parts: [string, Buffer, string][]) => {
        const f = new FormData();
        for (const [name, bytes, type] of parts) f.append(name, new Blob([new Uint8Array(bytes)], { type }), `${name}.bin`);
        return f;
      };
      const painted = await call(base, '/v1/paint?blend=over', { method: 'POST', body: form([['image', photo, 'image/jpeg'], ['texture', texture, 'image/png']]) });
      assert.equal(painted.status, 200, JSON.stringify(painted.json));
      assert.equal(painted.headers.get('content-type'), 'image/png');
      assert.equal(painted.headers.get('x-prnet-faces'), '1');
      const [edited, original] = await Promise.all([sharp(painted.bytes).raw().toBuffer({ resolveWithObject: true }), sharp(photo).raw().toBuffer({ resolveWithObject: true })]);
      assert.deepEqual([edited.info.width, edited.info.height], [original.info.width, original.info.height]);
      let blue = 0, changed = 0;
      for (let p = 0; p < original.info.width * original.info.height; p++) {
        const [r, g, b] = [0, 1, 2].map((c) => edited.data[3 * p + c]!);
        if ([r, g, b].some((v, c) => Math.abs(v - original.data[3 * p + c]!) > 2)) changed++;
        if (b! > r! + 80 && b! > g! + 80) blue++;
      }
      assert.ok(blue > 100 && changed < 3 * blue, `${blue} blue pixels, ${changed} changed`);
      // Other formats, the default Poisson blend.
      const jpeg = await call(base, '/v1/paint?format=jpeg', { method: 'POST', body: form([['image', photo, 'image/jpeg'], ['texture', texture, 'image/png']]) });
      assert.equal(jpeg.status, 200);
      assert.equal(jpeg.headers.get('content-type'), 'image/jpeg');
      // Mistakes: a missing part, an extra one, a raw body, a texture of the wrong size, no such face.
      assertError(await call(base, '/v1/paint', { method: 'POST', body: form([['image', photo, 'image/jpeg']]) }), 400, 'invalid_request');
      assertError(await call(base, '/v1/paint', { method: 'POST', body: form([['image', photo, 'image/jpeg'], ['texture', texture, 'image/png'], ['mask', texture, 'image/png']]) }), 400, 'invalid_request');
      assertError(await call(base, '/v1/paint', { method: 'POST', body: form([['photo', photo, 'image/jpeg'], ['texture', texture, 'image/png']]) }), 400, 'invalid_request');
      assertError(await call(base, '/v1/paint', { method: 'POST', body: photo, headers: { 'content-type': 'image/jpeg' } }), 415, 'unsupported_content_type');
      const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0000ff' } }).png().toBuffer();
      const bad = await call(base, '/v1/paint', { method: 'POST', body: form([['image', photo, 'image/jpeg'], ['texture', small, 'image/png']]) });
      assertError(bad, 422, 'not_a_uv_texture');
      assert.match(bad.json!.error!.message, /a UV texture must be 256×256/);
      assertError(await call(base, '/v1/paint?face=2', { method: 'POST', body: form([['image', photo, 'image/jpeg'], ['texture', texture, 'image/png']]) }), 422, 'no_such_face');
      // Every slot came back.
      assert.equal(metric(Buffer.from((await call(base, '/metrics')).bytes).toString(), 'prnet_requests_in_flight'), 0);
    });

    await t.test('?format=glb|obj|ply return the mesh', async () => {
      const glb = await post(base, photo, '?format=glb');
      assert.equal(glb.status, 200);
      assert.equal(glb.headers.get('content-type'), 'model/gltf-binary');
      assert.equal(Buffer.from(glb.bytes.subarray(0, 4)).toString(), 'glTF');
      const obj = await post(base, photo, '?format=obj');
      assert.equal(obj.status, 200);
      const text = Buffer.from(obj.bytes).toString();
      assert.equal(text.split('\n').filter((l) => l.startsWith('v ')).length, 43_867);
      assert.equal(text.split('\n').filter((l) => l.startsWith('f ')).length, 86_907);
      const ply = await post(base, photo, '?format=ply');
      assert.equal(ply.status, 200);
      assert.match(Buffer.from(ply.bytes.subarray(0, 200)).toString(), /^ply\nformat binary_little_endian[\s\S]*element vertex 43867/);
    });

    await t.test('?format=stl returns a closed relief of the face to 3D-print', async () => {
      const stl = await post(base, photo, '?format=stl');
      assert.equal(stl.status, 200);
      assert.equal(stl.headers.get('content-type'), 'model/stl');
      const { weldStl, assertClosedSurface } = await import('../print/closedSurface.js');
      const solid = weldStl(stl.bytes);
      assertClosedSurface(solid.vertices, solid.triangles);
      const xs = solid.vertices.filter((_, i) => i % 3 === 0);
      assert.ok(Math.abs(Math.max(...xs) - Math.min(...xs) - 80) <= 1, 'the default 80 mm wide');
    });

    await t.test('?format=pts returns the face\'s 68 landmarks as an iBUG .pts file: the JSON\'s x and y, 1-based', async () => {
      const [pts, json] = await Promise.all([post(base, photo, '?format=pts'), post(base, photo)]);
      assert.equal(pts.status, 200);
      assert.match(pts.headers.get('content-type') ?? '', /^text\/plain/);
      const { parsePts } = await import('../../src/io/pts.js');
      const points = parsePts(Buffer.from(pts.bytes).toString('utf8'));
      const doc = JSON.parse(Buffer.from(json.bytes).toString()) as { faces: { landmarks: number[][] }[] };
      assert.equal(points.length, 136);
      for (let k = 0; k < 68; k++) for (let c = 0; c < 2; c++) assert.ok(Math.abs(points[2 * k + c]! - doc.faces[0]!.landmarks[k]![c]!) <= 0.006, `landmark ${k}`);
      assert.match(Buffer.from(pts.bytes).toString(), /^version: 1\nn_points: {2}68\n\{\n/);
    });

    await t.test('?format=aligned returns the aligned face as PNG: ArcFace\'s 112 by default, FFHQ\'s square at alignSize, as the library aligns the JSON\'s landmarks', async () => {
      const sharp = (await import('sharp')).default;
      const { alignFace } = await import('../../src/face/alignFace.js');
      const { decodeImage } = await import('../../src/node/inference/decodeImage.js');
      const image = await decodeImage(PHOTO);
      const doc = (await post(base, photo)).json as { faces: { landmarks: number[][] }[] };
      for (const [query, template, size] of [['', 'arcface', 112], ['&align=ffhq&alignSize=96', 'ffhq', 96]] as const) {
        const a = await post(base, photo, `?format=aligned${query}`);
        assert.equal(a.status, 200);
        assert.equal(a.headers.get('content-type'), 'image/png');
        const { data, info } = await sharp(a.bytes).raw().toBuffer({ resolveWithObject: true });
        assert.deepEqual([info.width, info.height], [size, size]);
        const want = alignFace(image, doc.faces[0]!.landmarks.flat(), { template, size });
        let diff = 0;
        for (let i = 0; i < data.length; i++) diff += Math.abs(data[i]! - want.image.data[i]!);
        assert.ok(diff / data.length < 0.5, `${template}: mean difference ${(diff / data.length).toFixed(3)}`);
      }
      assertError(await post(base, photo, '?format=aligned&alignSize=4'), 400, 'invalid_request');
      // The perspective pose: 63° unless fovY says otherwise.
      const tele = (await post(base, photo, '?fovY=40')).json as { faces: { camera: { fovY: number; matrix: number[] } }[] };
      assert.equal(tele.faces[0]!.camera.fovY, 40);
      assert.equal((doc as unknown as { faces: { camera: { fovY: number } }[] }).faces[0]!.camera.fovY, 63);
      assertError(await post(base, photo, '?fovY=0'), 400, 'invalid_request');
      // A mistyped parameter is refused and named, not dropped for the defaults.
      const typo = await post(base, photo, '?maxface=2');
      assertError(typo, 400, 'invalid_request');
      assert.match(typo.json!.error!.message, /unknown query parameter 'maxface'/);
      // A photo whose EXIF records its lens: that camera.
      const phone = await sharp(photo).withExif({ IFD2: { FocalLengthIn35mmFilm: '26' } }).jpeg().toBuffer();
      const { fovFromFocalLength35mm } = await import('../../src/geometry/fovFromFocalLength35mm.js');
      const meta = await sharp(photo).metadata();
      const fromExif = ((await post(base, new Uint8Array(phone))).json as { faces: { camera: { fovY: number } }[] }).faces[0]!.camera.fovY;
      assert.ok(Math.abs(fromExif - fovFromFocalLength35mm(26, meta.width!, meta.height!)) < 0.01, `${fromExif}°`);
      // space=camera: the GLB in the perspective camera's space, metres, in front of the camera.
      const { NodeIO } = await import('@gltf-transform/core');
      const inCamera = await post(base, photo, '?format=glb&space=camera');
      assert.equal(inCamera.status, 200);
      const position = (await new NodeIO().readBinary(inCamera.bytes)).getRoot().listMeshes()[0]!.listPrimitives()[0]!.getAttribute('POSITION')!;
      const [lo, hi] = [position.getMin([0, 0, 0]), position.getMax([0, 0, 0])];
      assert.ok(hi[2]! < 0 && hi[0]! - lo[0]! > 0.05 && hi[0]! - lo[0]! < 0.3, `bounds ${lo} … ${hi}`);
      assertError(await post(base, photo, '?format=glb&space=sideways'), 400, 'invalid_request');
    });

    await t.test('?format=npy returns the position map; ?outputs=pncc adds the PNCC picture', async () => {
      const npy = await post(base, photo, '?format=npy');
      assert.equal(npy.status, 200);
      assert.equal(npy.headers.get('content-type'), 'application/x-npy');
      const { parseNpy } = await import('../../src/io/npy.js');
      const map = parseNpy(npy.bytes);
      assert.deepEqual([map.dtype, map.shape], ['float32', [256, 256, 3]]);
      // The JSON landmarks are the map's texels at the UV keypoints.
      const doc = (await post(base, photo, '?outputs=pncc')).json as { faces: Array<{ landmarks: number[][] }>; pnccPng: string };
      const { loadUvAssets } = await import('../../src/node/inference/uvAssets.js');
      const assets = await loadUvAssets({ download: false });
      const data = map.data as Float32Array;
      for (let k = 0; k < 68; k++) {
        const t = assets.keypointIndices[k]!;
        for (let c = 0; c < 3; c++) assert.ok(Math.abs(data[t * 3 + c]! - doc.faces[0]!.landmarks[k]![c]!) < 0.01, `landmark ${k}`);
      }
      // mapSmoothing=0: the network's own map, which the default smooths inside the face only.
      const raw = parseNpy((await post(base, photo, '?format=npy&mapSmoothing=0')).bytes).data as Float32Array;
      let inside = 0, outside = 0;
      for (let t = 0; t < 256 * 256; t++) for (let c = 0; c < 3; c++) {
        const d = Math.abs(raw[3 * t + c]! - data[3 * t + c]!);
        if (assets.faceMask[t]) inside = Math.max(inside, d); else outside = Math.max(outside, d);
      }
      assert.ok(inside > 0.01 && outside === 0, `raw vs smoothed map: up to ${inside} px inside the face, ${outside} outside`);
      assertError(await post(base, photo, '?mapSmoothing=-1'), 400, 'invalid_request');
      const pncc = Buffer.from(doc.pnccPng, 'base64');
      assert.equal(pncc.subarray(1, 4).toString(), 'PNG');
      assert.equal(pncc.readUInt32BE(16), 227, 'PNCC as wide as the photo');
    });

    await t.test('bad input: a JSON error with a stable code, never a stack trace', async () => {
      assertError(await post(base, new Uint8Array(0)), 400, 'empty_body');
      assertError(await post(base, Buffer.from('this is not an image at all')), 422, 'not_an_image');
      assertError(await post(base, photo.subarray(0, 4000)), 422, 'corrupt_image');
      assertError(await post(base, new Uint8Array(BODY_LIMIT + 1)), 413, 'body_too_large');
      const bigForm = new FormData();
      bigForm.append('image', new Blob([new Uint8Array(BODY_LIMIT + 1)]), 'big.jpg');
      assertError(await call(base, '/v1/reconstruct', { method: 'POST', body: bigForm }), 413, 'body_too_large');
      // Malformed multipart bodies are the client's error, each with a message saying what is wrong.
      const noBoundary = await post(base, Buffer.from('garbage'), '', 'multipart/form-data');
      assertError(noBoundary, 400, 'invalid_request');
      assert.match(noBoundary.json!.error!.message, /^the multipart body cannot be read: .*boundary/i);
      const cut = Buffer.concat([Buffer.from('--xx\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'), photo.subarray(0, 3000)]);
      assertError(await post(base, cut, '', 'multipart/form-data; boundary=xx'), 400, 'invalid_request');
      assertError(await post(base, Buffer.from('garbage'), '', 'multipart/form-data; boundary=xx'), 400, 'invalid_request');
      const fieldFirst = new FormData();
      fieldFirst.append('note', 'hello');
      fieldFirst.append('image', new Blob([photo], { type: 'image/jpeg' }), 'photo1.jpg');
      const field = await call(base, '/v1/reconstruct', { method: 'POST', body: fieldFirst });
      assertError(field, 400, 'invalid_request');
      assert.match(field.json!.error!.message, /one part, the image file, first/);
      // The same, with the client still sending when the answer is due (its file part comes
      // after a pause): the answer must reach it, not a connection reset under its write.
      const head = Buffer.from('--xx\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--xx\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n');
      const tail = Buffer.concat([photo, Buffer.from('\r\n--xx--\r\n')]);
      // (Without the server reading the rest this failed with "fetch failed" in 1 of 6 runs: a race, hence four tries.)
      for (let k = 0; k < 4; k++) {
        const slow = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(head);
            await new Promise((r) => setTimeout(r, 300));
            controller.enqueue(tail);
            controller.close();
          },
        });
        assertError(await call(base, '/v1/reconstruct', { method: 'POST', body: slow, headers: { 'content-type': 'multipart/form-data; boundary=xx' }, duplex: 'half' } as RequestInit), 400, 'invalid_request');
      }
      assertError(await post(base, photo, '', 'application/json'), 415, 'unsupported_content_type');
      assertError(await post(base, photo, '', 'text/plain'), 415, 'unsupported_content_type');
      assertError(await post(base, photo, '?format=fbx'), 400, 'invalid_request');
      assertError(await post(base, photo, '?format=npy&face=3'), 422, 'no_such_face');
      assertError(await post(base, photo, '?outputs=normals'), 400, 'invalid_request');
      assertError(await post(base, photo, '?uprightMinRoll=181'), 400, 'invalid_request');
      assertError(await post(base, photo, '?format=obj&face=3'), 422, 'no_such_face');
      assertError(await call(base, '/v2/nothing'), 404, 'not_found');
      // A route asked with the wrong method: 405 with the methods it takes, not "no route".
      const wrongMethod = await call(base, '/v1/reconstruct?format=json');
      assertError(wrongMethod, 405, 'method_not_allowed');
      assert.equal(wrongMethod.headers.get('allow'), 'POST');
      assert.match(wrongMethod.json!.error!.message, /^GET \/v1\/reconstruct: this route takes POST$/);
      const postToHealth = await call(base, '/healthz', { method: 'POST' });
      assertError(postToHealth, 405, 'method_not_allowed');
      assert.equal(postToHealth.headers.get('allow'), 'GET, HEAD');
      const sharp = (await import('sharp')).default;
      // An image without a face: a plain grey picture.
      const grey = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
      const noFace = await post(base, grey, '', 'image/png');
      assertError(noFace, 422, 'no_face');
      assert.equal(noFace.json!.error!.message, 'no face found');
      // Over --max-pixels (1,000,000): a 2000×1000 PNG.
      const big = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
      const tooMany = await post(base, big, '', 'image/png');
      assertError(tooMany, 422, 'too_many_pixels');
      assert.match(tooMany.json!.error!.message, /--max-pixels/);
    });

    await t.test('GET /v1/models and /openapi.json from the validating schemas', async () => {
      const models = await call(base, '/v1/models');
      assert.equal(models.status, 200);
      const m = (models.json as { models: Array<{ name: string; variant: string; sha256: string }>; limits: { queueSize: number; bodyLimit: number } });
      assert.equal(m.models[0]!.variant, 'resfcn128-light');
      assert.match(m.models[0]!.sha256, /^[0-9a-f]{64}$/);
      assert.equal(m.limits.queueSize, QUEUE_SIZE);
      assert.equal(m.limits.bodyLimit, BODY_LIMIT);
      const api = (await call(base, '/openapi.json')).json as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: { enum?: string[] } }>; responses: Record<string, unknown> }>> };
      assert.match(api.openapi, /^3\./);
      for (const p of ['/v1/reconstruct', '/v1/paint', '/v1/models', '/healthz', '/readyz', '/metrics', '/openapi.json']) assert.ok(api.paths[p], p);
      const format = api.paths['/v1/reconstruct']!.post!.parameters!.find((p) => p.name === 'format');
      assert.deepEqual(format?.schema.enum, ['json', 'glb', 'obj', 'ply', 'npy', 'stl', 'pts', 'aligned']);
      for (const s of ['200', '400', '413', '415', '422', '503', '504']) assert.ok(api.paths['/v1/reconstruct']!.post!.responses[s], s);
    });

    await t.test('overload: more requests than the queue holds get 503 + Retry-After at once, none fails otherwise, memory stays bounded', async () => {
      const before = metric((await call(base, '/metrics').then((a) => Buffer.from(a.bytes).toString())), 'prnet_process_resident_memory_bytes');
      const N = 40;
      const answers = await Promise.all(Array.from({ length: N }, () => post(base, photo, '?outputs=texture')));
      const statuses = answers.map((a) => a.status);
      const ok = answers.filter((a) => a.status === 200);
      const busy = answers.filter((a) => a.status === 503);
      assert.equal(ok.length + busy.length, N, `only 200 and 503: ${statuses.join(',')}`);
      assert.ok(ok.length >= 1, 'some were served');
      assert.ok(busy.length >= 1, `some refused: ${statuses.join(',')}`);
      for (const b of busy) {
        assertError(b, 503, 'overloaded');
        assert.equal(b.headers.get('retry-after'), '1');
      }
      const text = Buffer.from((await call(base, '/metrics')).bytes).toString();
      assert.ok(metric(text, 'prnet_overload_rejections_total') >= busy.length);
      const after = metric(text, 'prnet_process_resident_memory_bytes');
      assert.ok(after - before < 400 * 1024 * 1024, `resident memory grew by ${((after - before) / 1048576).toFixed(0)} MB`);
    });

    await t.test('GET /metrics: counts by status, stage histograms, queue depth, faces per image', async () => {
      const a = await call(base, '/metrics');
      assert.equal(a.status, 200);
      const text = Buffer.from(a.bytes).toString();
      assert.match(text, /^prnet_http_requests_total\{method="POST",route="\/v1\/reconstruct",status="200"\} \d+/m);
      assert.match(text, /^prnet_http_requests_total\{method="POST",route="\/v1\/reconstruct",status="503"\} \d+/m);
      assert.match(text, /^prnet_http_requests_total\{method="POST",route="\/v1\/reconstruct",status="413"\} \d+/m);
      for (const stage of ['decode', 'detect', 'network', 'restore', 'encode']) assert.match(text, new RegExp(`^prnet_stage_duration_seconds_count\\{stage="${stage}"\\} [1-9]`, 'm'), stage);
      assert.equal(metric(text, 'prnet_queue_depth'), 0);
      assert.match(text, /^prnet_faces_per_image_count [1-9]/m);
      assert.equal(metric(text, 'prnet_ready'), 1);
    });

    await t.test('clients that hang up do not leak queue slots', async () => {
      const gone = Array.from({ length: WORKERS + QUEUE_SIZE }, async () => {
        const ac = new AbortController();
        const p = post(base, photo, '?outputs=texture', 'image/jpeg');
        void p.catch(() => undefined);
        const r = fetch(`${base}/v1/reconstruct?outputs=texture`, { method: 'POST', body: photo, headers: { 'content-type': 'image/jpeg' }, signal: ac.signal }).catch(() => undefined);
        setTimeout(() => ac.abort(), 30);
        await Promise.all([r, p]);
      });
      await Promise.all(gone);
      for (let i = 0; ; i++) {
        const text = Buffer.from((await call(base, '/metrics')).bytes).toString();
        if (metric(text, 'prnet_requests_in_flight') === 0) break;
        assert.ok(i < 1000, 'slots never came back');
        await new Promise((r) => setTimeout(r, 20));
      }
      const all = await Promise.all(Array.from({ length: WORKERS + QUEUE_SIZE }, () => post(base, photo)));
      assert.deepEqual(all.map((a) => a.status), all.map(() => 200), 'the whole queue is usable again');
    });

    await t.test('SIGTERM: requests in flight finish, new ones are refused, exit 0', async () => {
      let settled = 0;
      const inFlight = Array.from({ length: WORKERS + QUEUE_SIZE }, () => post(base, photo, '?format=glb').finally(() => { settled++; }));
      // Wait until the server holds them all (or, if one already finished first, the rest).
      for (let i = 0; ; i++) {
        const text = Buffer.from((await call(base, '/metrics')).bytes).toString();
        const held = metric(text, 'prnet_requests_in_flight');
        if (held === WORKERS + QUEUE_SIZE || (held > 0 && held + settled === WORKERS + QUEUE_SIZE)) break;
        assert.ok(i < 4000, `the server never held the requests (${held} in flight, ${settled} answered)`);
        await new Promise((r) => setTimeout(r, 5));
      }
      // A client that sent half a request line and headers and then nothing: Node counts its
      // connection busy, so without the server's own linger limit it held the exit until the
      // client gave up.
      const net = await import('node:net');
      const { port } = new URL(base);
      const stalled = net.connect(Number(port), '127.0.0.1');
      stalled.on('error', () => undefined);
      await new Promise<void>((r) => stalled.once('connect', () => r()));
      stalled.write('POST /v1/reconstruct HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ima');
      const stalledEnded = new Promise<void>((r) => stalled.once('close', () => r()));
      proc.child.kill('SIGTERM');
      await proc.waitFor(/SIGTERM: finishing/);
      const late = await post(base, photo).catch((err: Error) => err);
      if (!(late instanceof Error)) assertError(late, 503, 'shutting_down');
      const answers = await Promise.all(inFlight);
      assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200));
      for (const a of answers) assert.equal(Buffer.from(a.bytes.subarray(0, 4)).toString(), 'glTF');
      // The answers close their connections, so the clients' idle keep-alive sockets do not
      // hold the exit for the server's keep-alive timeout (72 s).
      for (const a of answers) assert.equal(a.headers.get('connection'), 'close');
      const lingering = await Promise.race([proc.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 30_000).unref())]);
      assert.equal(lingering, false, `the server had not exited 30 s after its last answer:\n${proc.stderr()}`);
      await stalledEnded;
      const { code, signal } = await proc.exited;
      assert.equal(signal, null, proc.stderr());
      assert.equal(code, 0, proc.stderr());
      await assert.rejects(fetch(`${base}/healthz`), 'no longer listening');
    });
  } finally {
    proc.child.kill('SIGKILL');
  }
});

test('prnet serve: per-request timeout answers 504 timeout', { timeout: 120_000 }, async () => {
  const { proc, base } = await startServer(['--timeout', '1']);
  try {
    await proc.waitFor(/ready: model/);
    const a = await post(base, await readFile(PHOTO));
    assertError(a, 504, 'timeout');
    assert.equal((await call(base, '/healthz')).status, 200, 'still serving');
  } finally {
    proc.child.kill('SIGKILL');
  }
});

test('prnet serve: a taken port is one line and exit 2', { timeout: 60_000 }, async () => {
  const net = await import('node:net');
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const proc = prnetProcess(['serve', '--host', '127.0.0.1', '--port', String(port)]);
    const { code } = await proc.exited;
    assert.equal(code, 2);
    assert.match(proc.stderr(), /cannot listen on 127\.0\.0\.1:\d+: the port is taken/);
  } finally {
    blocker.close();
  }
});

test('prnet serve with API keys and CORS: /v1/ needs a key (Bearer or X-API-Key), probes stay open, browsers of the allowed origin get the headers', { timeout: 120_000 }, async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-keys-'));
  const fileKey = 'file-key-0123456789abcdef';
  const envKey = 'env-key-fedcba9876543210';
  await writeFile(path.join(dir, 'keys'), `# rotated 2026-12-07\n${fileKey}\n\n`);
  const { proc, base } = await startServer(['--api-key-file', path.join(dir, 'keys'), '--cors', 'https://app.example.org'], { PRNET_API_KEYS: envKey });
  try {
    await proc.waitFor(/ready: model/);
    assert.match(proc.stderr(), /2 API keys; CORS for https:\/\/app\.example\.org/);
    assert.ok(!proc.stderr().includes(fileKey) && !proc.stderr().includes(envKey), 'keys are never printed');
    const photo = await readFile(PHOTO);
    const withHeaders = (headers: Record<string, string>, route = '/v1/reconstruct') => call(base, route, { method: 'POST', body: photo, headers: { 'content-type': 'image/jpeg', ...headers } });
    const none = await withHeaders({});
    assertError(none, 401, 'unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="prnet"');
    assert.match(none.json!.error!.message, /needs an API key/);
    for (const wrong of [envKey.slice(0, -1) + 'X', 'short', envKey + 'extra']) {
      const a = await withHeaders({ authorization: `Bearer ${wrong}` });
      assertError(a, 401, 'unauthorized');
      assert.match(a.json!.error!.message, /not one this server accepts/);
    }
    // A large body without a key: the client gets the 401, not a connection reset under its upload.
    const large = Buffer.alloc(BODY_LIMIT - 1000, 7);
    for (let i = 0; i < 3; i++) assertError(await call(base, '/v1/reconstruct', { method: 'POST', body: large, headers: { 'content-type': 'image/jpeg' } }), 401, 'unauthorized');
    assert.equal((await withHeaders({ authorization: `Bearer ${fileKey}` })).status, 200);
    assert.equal((await withHeaders({ authorization: `bearer ${envKey}` })).status, 200);
    assert.equal((await withHeaders({ 'x-api-key': envKey })).status, 200);
    assertError(await call(base, '/v1/models'), 401, 'unauthorized');
    // The same route spelt otherwise is the same route, and needs the key too.
    for (const spelling of ['/v1/models?x=1', '/v1//models', '/%761/models']) {
      const a = await call(base, spelling);
      assert.ok(a.status === 401 || a.status === 404, `${spelling}: ${a.status}`);
    }
    assert.equal((await call(base, '/v1/models', { headers: { 'x-api-key': fileKey } })).status, 200);
    for (const open of ['/healthz', '/readyz', '/metrics', '/openapi.json']) assert.equal((await call(base, open)).status, 200, open);
    // The refused requests took no queue slot.
    assert.equal(metric(Buffer.from((await call(base, '/metrics')).bytes).toString(), 'prnet_requests_in_flight'), 0);
    // OpenAPI says how to authenticate.
    const api = (await call(base, '/openapi.json')).json as unknown as { components: { securitySchemes: Record<string, { type: string }> }; paths: Record<string, { post?: { security?: unknown[]; responses: Record<string, unknown> }; get?: { security?: unknown[] } }> };
    assert.deepEqual(Object.keys(api.components.securitySchemes).sort(), ['apiKeyHeader', 'bearer']);
    assert.ok(api.paths['/v1/reconstruct']!.post!.security && api.paths['/v1/reconstruct']!.post!.responses['401']);
    assert.equal(api.paths['/healthz']!.get!.security, undefined);

    // CORS: the preflight of the allowed origin (no key: browsers send none there), and the answer's headers.
    const origin = 'https://app.example.org';
    const preflight = await call(base, '/v1/reconstruct', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    assert.ok(preflight.status === 204 || preflight.status === 200, String(preflight.status));
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const answered = await withHeaders({ origin, authorization: `Bearer ${fileKey}` });
    assert.equal(answered.status, 200);
    assert.equal(answered.headers.get('access-control-allow-origin'), origin);
    assert.match(answered.headers.get('access-control-expose-headers') ?? '', /x-prnet-faces/);
    const other = await withHeaders({ origin: 'https://evil.example.com', authorization: `Bearer ${fileKey}` });
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'no CORS grant for another origin');
  } finally {
    proc.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('prnet serve: bad keys and origins are usage errors (exit 2); no keys on a public address warns', { timeout: 60_000 }, async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-keys-'));
  try {
    await writeFile(path.join(dir, 'empty'), '# nothing yet\n');
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--api-key-file', path.join(dir, 'missing')], {}, /--api-key-file .*missing: not found/],
      [['--api-key-file', path.join(dir, 'empty')], {}, /no keys in it/],
      [[], { PRNET_API_KEYS: 'abc' }, /API key 1 has 3 characters; use at least 16/],
      [['--cors', 'app.example.org'], {}, /--cors: app\.example\.org is not an origin/],
      [['--cors', 'https://app.example.org/path'], {}, /is not an origin/],
    ];
    for (const [args, env, message] of cases) {
      const p = prnetProcess(['serve', '--port', '0', ...args], env);
      const { code } = await p.exited;
      assert.equal(code, 2, p.stderr());
      assert.match(p.stderr(), message);
      assert.equal(p.stderr().trim().split('\n').length, 1, p.stderr());
    }
    const open = prnetProcess(['serve', '--host', '0.0.0.0', '--port', '0'], { PRNET_API_KEYS: '' });
    try {
      await open.waitFor(/warning: listening on 0\.0\.0\.0 without API keys/);
    } finally {
      open.child.kill('SIGKILL');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
