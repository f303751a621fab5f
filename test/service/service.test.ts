/** The isomorphic pieces behind `prnet serve` and the job queue (src/service/). */
import test from 'node:test';
import { UPRIGHT_MIN_ROLL } from '../../src/face/faceRoll.js';
import { MAP_SMOOTHING } from '../../src/reconstruct/facePipeline.js';
import assert from 'node:assert/strict';
import { admissionQueue } from '../../src/service/admissionQueue.js';
import { apiError, API_ERROR_STATUS } from '../../src/service/apiError.js';
import { isApiError } from '../../src/service/isApiError.js';
import { classifyImageError } from '../../src/service/classifyImageError.js';
import { openApiDocument } from '../../src/service/openApiDocument.js';
import { reconstructJob } from '../../src/service/reconstructJob.js';
import { reconstructQuery, RECONSTRUCT_QUERY_SCHEMA } from '../../src/service/reconstructQuery.js';
import { jobOutputNamePattern } from '../../src/service/jobOutputNamePattern.js';
import { mergeDepth } from '../../src/service/mergeDepth.js';
import { faceOutputsForKinds } from '../../src/service/faceOutputsForKinds.js';

test('admissionQueue admits running + waiting, refuses the rest at once, release is idempotent', () => {
  const gate = admissionQueue({ running: 2, waiting: 1 });
  const r = [gate.tryAdmit(), gate.tryAdmit(), gate.tryAdmit()];
  assert.ok(r.every(Boolean));
  assert.equal(gate.tryAdmit(), undefined);
  assert.equal(gate.admitted, 3);
  r[0]!();
  r[0]!();
  assert.equal(gate.admitted, 2, 'a second release does not free a second slot');
  assert.ok(gate.tryAdmit());
  assert.equal(gate.tryAdmit(), undefined);
  assert.throws(() => admissionQueue({ running: 0, waiting: 1 }), /running/);
});

test('apiError carries its stable code and status', () => {
  const e = apiError('no_face', 'no face found');
  assert.ok(isApiError(e));
  assert.equal(e.statusCode, 422);
  assert.equal(e.code, 'no_face');
  assert.equal(isApiError(new Error('x')), false);
  for (const [code, status] of Object.entries(API_ERROR_STATUS)) assert.ok(status >= 400 && status < 600, code);
});

test('classifyImageError maps the decoder\'s refusals to codes, without the input name', () => {
  const c = (m: string) => classifyImageError(new Error(m));
  assert.equal(c('cannot decode image <5 bytes>: the file is empty (0 bytes)')?.code, 'empty_body');
  assert.equal(c('cannot decode image <12 bytes>: not an image, or a format this build cannot read (JPEG)')?.code, 'not_an_image');
  assert.equal(c('cannot decode image <12 bytes>: corrupt or truncated file (VipsJpeg: premature end)')?.code, 'corrupt_image');
  const big = c('cannot decode image a.jpg: 2000×1000 = 2000000 pixels is over the limit of 1000000 (--max-pixels)');
  assert.equal(big?.code, 'too_many_pixels');
  assert.doesNotMatch(big!.message, /a\.jpg/);
  assert.equal(c('cannot read image /x/y.jpg: file not found')?.code, 'unreadable_input');
  assert.equal(c('out of memory'), undefined, 'not the decoder\'s: an internal error');
});

test('reconstructQuery parses extras; the query schema lists the formats', () => {
  assert.deepEqual(reconstructQuery({ format: 'glb', outputs: 'texture,depth,texture', face: 1, maxFaces: 2, texture: 'full', uprightMinRoll: 180, mapSmoothing: 0.5, align: 'arcface' }),
    { format: 'glb', extras: ['texture', 'depth'], face: 1, maxFaces: 2, texture: 'full', uprightMinRoll: 180, mapSmoothing: 0.5, align: { template: 'arcface' }, space: 'image' });
  assert.deepEqual(reconstructQuery({ format: 'aligned', face: 0, maxFaces: 1, texture: 'filled', uprightMinRoll: 30, mapSmoothing: 1, align: 'ffhq', alignSize: 256 }).align, { template: 'ffhq', size: 256 });
  assert.deepEqual(reconstructQuery({ format: 'json', face: 0, maxFaces: 1, texture: 'filled', uprightMinRoll: 30, mapSmoothing: 1, align: 'arcface' }).extras, []);
  assert.throws(() => reconstructQuery({ format: 'json', outputs: 'normals', face: 0, maxFaces: 1, texture: 'filled', uprightMinRoll: 30, mapSmoothing: 1, align: 'arcface' }), /unknown output/);
  assert.equal(RECONSTRUCT_QUERY_SCHEMA.properties.mapSmoothing.default, MAP_SMOOTHING);
  assert.equal(RECONSTRUCT_QUERY_SCHEMA.properties.uprightMinRoll.default, UPRIGHT_MIN_ROLL);
  const pattern = new RegExp(RECONSTRUCT_QUERY_SCHEMA.properties.outputs.pattern);
  assert.ok(pattern.test('texture,depth'));
  assert.ok(!pattern.test('texture,'));
  assert.ok(!pattern.test('obj'));
});

test('openApiDocument: parameters from the query schema, request bodies, responses', () => {
  const doc = openApiDocument({ title: 't', version: '1' }, [
    { method: 'POST', url: '/v1/x', summary: 's', querystring: { type: 'object', required: ['a'], properties: { a: { type: 'string', enum: ['p', 'q'], description: 'A' } } }, requestBody: { 'image/png': { type: 'string', format: 'binary' } }, responses: { 200: { description: 'ok' }, 422: { description: 'bad' } } },
    { method: 'GET', url: '/healthz' },
  ]);
  assert.equal(doc.openapi, '3.0.3');
  assert.deepEqual(Object.keys(doc.paths), ['/healthz', '/v1/x']);
  const post = doc.paths['/v1/x']!.post as { parameters: unknown[]; requestBody: { content: Record<string, unknown> }; responses: Record<string, unknown> };
  assert.deepEqual(post.parameters, [{ name: 'a', in: 'query', required: true, description: 'A', schema: { type: 'string', enum: ['p', 'q'] } }]);
  assert.deepEqual(Object.keys(post.requestBody.content), ['image/png']);
  assert.deepEqual(Object.keys(post.responses), ['200', '422']);
});

test('reconstructJob checks job data read back from the queue', () => {
  const good = { input: '/d/a.jpg', outDir: '/d/out', base: 'a', outputs: ['obj', 'json'] };
  assert.deepEqual(reconstructJob(good), { ...good, texture: 'filled' });
  assert.throws(() => reconstructJob({ ...good, input: '' }), /"input"/);
  assert.throws(() => reconstructJob({ ...good, base: '../etc/a' }), /"base"/);
  assert.throws(() => reconstructJob({ ...good, base: '/abs' }), /"base"/);
  assert.throws(() => reconstructJob({ ...good, outputs: ['fbx'] }), /"outputs"/);
  assert.throws(() => reconstructJob({ ...good, maxFaces: 0 }), /"maxFaces"/);
  assert.deepEqual(reconstructJob({ ...good, outputs: ['aligned'], align: { template: 'ffhq', size: 256 } }).align, { template: 'ffhq', size: 256 });
  assert.deepEqual(reconstructJob({ ...good, fovY: 50, cameraSpace: true }), { ...good, texture: 'filled', fovY: 50, cameraSpace: true });
  assert.throws(() => reconstructJob({ ...good, fovY: 180 }), /"fovY" must be/);
  assert.throws(() => reconstructJob({ ...good, cameraSpace: 'yes' }), /"cameraSpace" must be/);
  for (const align of [{ template: 'dlib' }, { template: 'ffhq', size: 4 }, { template: 'arcface', size: 1.5 }, 'ffhq']) {
    assert.throws(() => reconstructJob({ ...good, align }), /"align" must be/, JSON.stringify(align));
  }
  assert.throws(() => reconstructJob(null), /"input"/);
});

test('jobOutputNamePattern: an image\'s outputs and their temporary names, not another image\'s', () => {
  const fin = jobOutputNamePattern('img1', false);
  for (const n of ['img1.json', 'img1_0.obj', 'img1_2.glb', 'img1_0.mtl', 'img1_0_texture.png', 'img1_depth.png', 'img1_overlay.png', 'img1_0_aligned.png', 'img1_1.stl', 'img1_0.pts', 'img1_0_posmap.npy', 'img1_pncc.png']) assert.ok(fin.test(n), n);
  for (const n of ['img10.json', 'img1_0.obj.tmp', 'img1.jpg', 'ximg1.json']) assert.ok(!fin.test(n), n);
  const tmp = jobOutputNamePattern('img1', true);
  assert.ok(tmp.test('.img1_0.obj.4242.a1b2c3d4.tmp'));
  assert.ok(!tmp.test('.img10_0.obj.4242.a1b2c3d4.tmp'));
  assert.ok(!tmp.test('img1_0.obj'));
  assert.ok(jobOutputNamePattern('a.b', false).test('a.b.json') && !jobOutputNamePattern('a.b', false).test('axb.json'), 'dots are literal');
});

test('mergeDepth: the nearest face wins each pixel', () => {
  const a = { depth: Float32Array.from([1, 5, -Infinity]), image: { data: Uint8Array.from([10, 50, 0]) } };
  const b = { depth: Float32Array.from([3, 2, -Infinity]), image: { data: Uint8Array.from([30, 20, 0]) } };
  assert.deepEqual([...mergeDepth(3, 1, [a, b]).data], [30, 50, 0]);
});

test('faceOutputsForKinds: what each output file needs', () => {
  assert.deepEqual(faceOutputsForKinds(['json'], 'filled'), { pose: true, colors: false, texture: false, depth: false, frontal: false });
  assert.equal(faceOutputsForKinds(['glb'], 'visible').texture, 'visible');
  assert.equal(faceOutputsForKinds(['obj'], 'filled').colors, true);
  assert.equal(faceOutputsForKinds(['depth'], 'filled').depth, true);
});
