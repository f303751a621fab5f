/**
 * The `prnet serve` HTTP API on Fastify. Routes, limits and error codes are described in
 * the README (*HTTP service*) and served as OpenAPI at `/openapi.json`, generated from the
 * same route schemas that validate the requests.
 *
 * Bounded everywhere: the body (`bodyLimit` → 413), the decoded pixels (`maxPixels` →
 * 422), the work admitted at once (`workers + queueSize`; beyond it 503 with `Retry-After`
 * before the body is read), and the time per request (`timeoutMs` → 504). The model loads
 * after the server listens: `/healthz` answers at once, `/readyz` once it is loaded.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import cors from '@fastify/cors';
import { apiKeyCheck, requestApiKey } from './apiKeyCheck.js';
import { drainBody } from './drainBody.js';
import { applyFaceTexture } from '../apps/applyFaceTexture.js';
import { readUvTexture, type UvTextureFile } from '../node/inference/readUvTexture.js';
import { PAINT_QUERY_SCHEMA, type PaintQuery } from '../service/paintQuery.js';
import { encodeGlb } from '../io/glb.js';
import { encodeObj } from '../io/obj.js';
import { encodePly } from '../io/ply.js';
import { encodeImage } from '../node/inference/encodeImage.js';
import { PRNET_VERSION } from '../version.js';
import { apiError, API_ERROR_STATUS, type ApiErrorCode } from '../service/apiError.js';
import { isApiError } from '../service/isApiError.js';
import { admissionQueue } from '../service/admissionQueue.js';
import { mergeDepth } from '../service/mergeDepth.js';
import { encodeNpy } from '../io/encodeNpy.js';
import { encodeStl } from '../io/stl.js';
import { encodePts } from '../io/pts.js';
import { faceRelief } from '../print/faceRelief.js';
import { alignFace } from '../face/alignFace.js';
import { cameraSpaceVertices } from '../geometry/cameraSpaceVertices.js';
import { canonicalEyeCentres } from '../uv/canonicalEyeCentres.js';
import { nccColors } from '../render/nccColors.js';
import { renderPncc } from '../render/renderPncc.js';

import { openApiDocument, type OpenApiRoute, type JsonSchema } from '../service/openApiDocument.js';
import { reconstructDocument } from '../service/reconstructDocument.js';
import { RECONSTRUCT_QUERY_SCHEMA, reconstructQuery, type ReconstructQuery, type ReconstructRequest } from '../service/reconstructQuery.js';
import { faceService, FACE_SERVICE_DEFAULTS, type FaceService, type FaceServiceOptions } from './faceService.js';
import { serverMetrics } from './serverMetrics.js';
import { multipartFiles, multipartImage } from './multipartImage.js';
import { withDefaults } from '../io/withDefaults.js';

/** The media type of a NumPy `.npy` body (not registered; the one NumPy's tools use). */
const NPY_TYPE = 'application/x-npy';
/** STL's media type as IANA registers it. */
const STL_TYPE = 'model/stl';
/** An iBUG .pts file has no registered media type: it is plain text. */
const PTS_TYPE = 'text/plain; charset=utf-8';

/** OpenAPI: how a request carries its API key (either way). */
const API_KEY_SCHEMES = { bearer: { type: 'http', scheme: 'bearer' }, apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' } };
const API_KEY_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { apiKeyHeader: [] }];

/** Options of {@link createServer}. */
export interface CreateServerOptions extends Partial<FaceServiceOptions> {
  /** Largest request body in bytes (raw image or multipart file); 413 beyond it. */
  bodyLimit: number;
  /** Requests admitted beyond those on a network worker; when full, 503 at once. */
  queueSize: number;
  /** Longest time for one request in milliseconds, from its arrival (504 `timeout`); 0 = none. */
  timeoutMs: number;
  /** Seconds a 503 `overloaded` asks the client to wait (`Retry-After`). */
  retryAfterSeconds: number;
  /** Where internal errors are logged (never sent to clients). */
  log: (line: string) => void;
  /** A loaded service to use instead of loading one (tests, embedding); not disposed. */
  service?: FaceService;
  /**
   * API keys: when given, the `/v1/` routes answer 401 `unauthorized` to a request without
   * one of them (`Authorization: Bearer <key>` or `X-API-Key: <key>`). Health, readiness,
   * metrics and the OpenAPI document stay open (probes and scrapers carry no keys).
   */
  apiKeys?: readonly string[];
  /**
   * Origins whose pages may call the API from a browser (CORS): `['*']` for any, or exact
   * origins (`https://app.example.org`). None by default: no CORS headers.
   */
  corsOrigins?: readonly string[];
}

/** Defaults of {@link createServer}. */
export const CREATE_SERVER_DEFAULTS: Omit<CreateServerOptions, 'service' | 'apiKeys' | 'corsOrigins'> = {
  ...FACE_SERVICE_DEFAULTS,
  bodyLimit: 10 * 1024 * 1024,
  queueSize: 8,
  timeoutMs: 30_000,
  retryAfterSeconds: 1,
  log: (line) => process.stderr.write(`${line}\n`),
};

/** A created server: the Fastify app, the model loading, and a graceful close. */
export interface PrnetServer {
  app: FastifyInstance;
  /** Resolves once the model is loaded (rejects when loading fails). */
  loaded: Promise<void>;
  /** The loaded service (after `loaded`). */
  service(): FaceService | undefined;
  /**
   * Graceful shutdown: `/readyz` turns 503, new requests get 503 `shutting_down`, the
   * listener closes, requests in flight finish, then the workers stop. Connections left
   * open once every answer is sent (a client that sent nothing, or is still uploading a body
   * that would be refused) are ended after {@link SHUTDOWN_LINGER_MS}: no client holds it.
   */
  close(): Promise<void>;
  /** While closing, what the shutdown waits for (for a "still stopping" line); else undefined. */
  closeStage(): string | undefined;
}

/**
 * How long a closing server keeps connections open after its last answer is sent. Node
 * ends idle keep-alive connections once, when the listener closes; one that was busy then
 * and stays open after its answer, or one with a request not yet read, would otherwise hold
 * the exit until a client or a timeout ends it.
 */
export const SHUTDOWN_LINGER_MS = 1000;

/** The media types `POST /v1/reconstruct` takes as a raw body. */
const RAW_IMAGE_TYPES = /^(?:application\/octet-stream|image\/[\w.+-]+)\s*(?:;|$)/i;

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string', enum: Object.keys(API_ERROR_STATUS) }, message: { type: 'string' } }, required: ['code', 'message'] } },
};

/** Response statuses of every error code, for the OpenAPI description of a route. */
function errorResponses(codes: ApiErrorCode[]): Record<string, { description: string; content: Record<string, JsonSchema> }> {
  const out: Record<string, { description: string; content: Record<string, JsonSchema> }> = {};
  for (const c of codes) {
    const s = String(API_ERROR_STATUS[c]);
    const r = (out[s] ??= { description: '', content: { 'application/json': ERROR_SCHEMA } });
    r.description = r.description ? `${r.description}, ${c}` : c;
  }
  return out;
}

interface RequestState {
  release?: () => void;
  work?: Promise<unknown>;
  started: number;
}

const stateOf = new WeakMap<FastifyRequest, RequestState>();

/**
 * Creates the app and starts loading the model (listen with `app.listen`).
 *
 * ```ts
 * const server = createServer({ workers: 2, queueSize: 8 });
 * await server.app.listen({ host: '127.0.0.1', port: 8080 });
 * await server.loaded;
 * ```
 */
export function createServer(options: Partial<CreateServerOptions> = {}): PrnetServer {
  const o = withDefaults(CREATE_SERVER_DEFAULTS, options) as CreateServerOptions;
  let service: FaceService | undefined = o.service;
  let closing = false;
  let closeStage: string | undefined;
  /** Responses started and not yet finished or aborted (any route), for the shutdown. */
  let openResponses = 0;
  const workers = o.workers ?? FACE_SERVICE_DEFAULTS.workers;
  const gate = admissionQueue({ running: workers, waiting: o.queueSize });
  const metrics = serverMetrics(() => ({
    queueDepth: Math.max(0, gate.admitted - (service?.pool.busy ?? 0)),
    inFlight: gate.admitted,
    ready: service !== undefined && !closing,
  }));
  // removeAdditional off: the schemas' `additionalProperties: false` then refuses a mistyped
  // parameter (`?maxface=2`) with 400 instead of dropping it and answering with the defaults.
  const app = Fastify({ bodyLimit: o.bodyLimit, logger: false, return503OnClosing: false, ajv: { customOptions: { removeAdditional: false } }, ...(o.timeoutMs > 0 ? { requestTimeout: o.timeoutMs + 1000 } : {}) });
  // Once closing, every answer ends its connection: an idle keep-alive socket would hold the
  // shutdown for Fastify's keepAliveTimeout (72 s) after the last request in flight.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  // API keys before anything else: an unauthorised request takes no queue slot, and its body
  // is dropped unread. The route matched decides, not the raw URL (which may be spelt otherwise).
  const allowed = o.apiKeys?.length ? apiKeyCheck(o.apiKeys) : undefined;
  if (allowed) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS' || !request.routeOptions.url?.startsWith('/v1/')) return;
      if (allowed(request.headers)) return;
      reply.header('www-authenticate', 'Bearer realm="prnet"');
      // The body is dropped unread (at most --body-limit of it) and the connection ended.
      if (request.method === 'POST') {
        reply.header('connection', 'close');
        await drainBody(request.raw, o.bodyLimit);
      }
      return sendError(reply, 'unauthorized', requestApiKey(request.headers) === undefined
        ? 'this server needs an API key: send Authorization: Bearer <key> (or X-API-Key: <key>)'
        : 'the API key is not one this server accepts');
    });
  }
  if (o.corsOrigins?.length) {
    const any = o.corsOrigins.includes('*');
    void app.register(cors, {
      origin: any ? '*' : [...o.corsOrigins],
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key'],
      exposedHeaders: ['x-prnet-faces', 'x-prnet-model-sha256', 'retry-after'],
      maxAge: 600,
    });
  }
  app.server.on('request', (_req, res) => {
    openResponses++;
    res.once('close', () => openResponses--);
  });
  const routes: OpenApiRoute[] = [];
  /** The methods of each path, for 405 and its `Allow` header. */
  const pathMethods = new Map<string, Set<string>>();
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    const known = pathMethods.get(r.url) ?? new Set<string>();
    for (const m of methods) known.add(m);
    pathMethods.set(r.url, known);
    const doc = (r.config as { openapi?: Omit<OpenApiRoute, 'method' | 'url'> } | undefined)?.openapi;
    if (!doc) return;
    for (const m of methods) if (m !== 'HEAD') routes.push({ method: m, url: r.url, querystring: (r.schema as { querystring?: JsonSchema } | undefined)?.querystring, ...doc });
  });

  const loaded = o.service ? Promise.resolve() : faceService(o).then((s) => {
    if (closing) return s.dispose();
    service = s;
  });
  loaded.catch(() => undefined);

  const sendError = (reply: FastifyReply, code: ApiErrorCode, message: string): FastifyReply =>
    reply.code(API_ERROR_STATUS[code]).type('application/json').send({ error: { code, message } });

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number; validation?: unknown }, request, reply) => {
    if (isApiError(err)) return sendError(reply, err.code, err.message);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.code === 'FST_REQ_FILE_TOO_LARGE') return sendError(reply, 'body_too_large', `the body is larger than the limit of ${o.bodyLimit} bytes (--body-limit)`);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return sendError(reply, 'unsupported_content_type', `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send the image as image/* or application/octet-stream, or as a multipart/form-data file`);
    if (err.validation) {
      // Ajv's "must NOT have additional properties" does not say which: name it.
      const extra = (err.validation as { keyword?: string; params?: { additionalProperty?: string } }[]).find((v) => v.keyword === 'additionalProperties')?.params?.additionalProperty;
      return sendError(reply, 'invalid_request', extra === undefined ? err.message : `unknown query parameter '${extra}' (see GET /openapi.json for the known ones)`);
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return sendError(reply, 'invalid_request', err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendError(reply, 'invalid_request', err.message.split('\n')[0]!);
    o.log(`prnet serve: ${request.method} ${request.url}: ${err.stack ?? err.message}`);
    return sendError(reply, 'internal_error', 'internal error (see the server log)');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = pathMethods.get(path);
    if (!allowed) return sendError(reply, 'not_found', `no route ${request.method} ${path}`);
    // The path exists for other methods (GET /v1/reconstruct): say which, as HTTP asks of a 405.
    const allow = [...allowed].sort().join(', ');
    reply.header('allow', allow);
    return sendError(reply, 'method_not_allowed', `${request.method} ${path}: this route takes ${allow}`);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestSeconds.observe({ route }, reply.elapsedTime / 1000);
    // Requests that never started work give their slot back here; the others when their
    // work ends (see the handler).
    const state = stateOf.get(request);
    if (state?.release && !state.work) state.release();
  });
  app.addHook('onRequestAbort', async (request) => {
    const state = stateOf.get(request);
    if (state?.release && !state.work) state.release();
  });

  void app.register(multipart, { limits: { fileSize: o.bodyLimit, files: 1, fields: 0, parts: 1 } });
  app.addContentTypeParser(RAW_IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: o.bodyLimit }, (_req, body, done) => done(null, body));
  app.removeContentTypeParser(['application/json', 'text/plain']);

  const json = (schema: JsonSchema) => ({ 'application/json': schema });

  app.get('/healthz', { config: { openapi: { summary: 'Liveness: 200 while the process serves HTTP', responses: { 200: { description: 'alive', content: json({ type: 'object', properties: { status: { type: 'string' } } }) } } } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { openapi: { summary: 'Readiness: 200 once the model is loaded, 503 before and while shutting down', responses: { 200: { description: 'ready', content: json({ type: 'object', properties: { status: { type: 'string' } } }) }, ...errorResponses(['not_ready', 'shutting_down']) } } } }, async (_req, reply) => {
    if (closing) return sendError(reply, 'shutting_down', 'shutting down');
    if (!service) return sendError(reply, 'not_ready', 'the model is loading');
    return { status: 'ready' };
  });

  app.get('/metrics', { config: { openapi: { summary: 'Prometheus metrics (prom-client)', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { type: 'string' } } } } } } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/v1/models', { config: { openapi: { summary: 'The loaded model and the server limits', responses: { 200: { description: 'models', content: json({ type: 'object', properties: { models: { type: 'array' }, limits: { type: 'object' } } }) }, ...errorResponses(['not_ready']) } } } }, async (_req, reply) => {
    if (!service) return sendError(reply, 'not_ready', 'the model is loading');
    const s = service;
    return {
      models: [{ ...s.model, inputSize: s.prnet.model.inputSize, outputSize: s.prnet.model.outputSize, flipAverage: o.flipAverage, metadata: s.metadata }],
      limits: { bodyLimit: o.bodyLimit, maxPixels: o.maxPixels, workers, queueSize: o.queueSize, timeoutMs: o.timeoutMs },
    };
  });

  app.get('/openapi.json', { config: { openapi: { summary: 'This description (OpenAPI 3.0)', responses: { 200: { description: 'OpenAPI document', content: json({ type: 'object' }) } } } } }, async () =>
    openApiDocument({ title: 'prnet', version: PRNET_VERSION, description: 'PRNet 3D face reconstruction over HTTP' }, allowed ? routes.map((r) => (r.url.startsWith('/v1/') ? {
      ...r, security: API_KEY_SECURITY, responses: { ...r.responses, ...errorResponses(['unauthorized']) },
    } : r)) : routes, allowed ? { securitySchemes: API_KEY_SCHEMES } : undefined));

  const binary = { type: 'string', format: 'binary' };
  app.post('/v1/reconstruct', {
    schema: { querystring: RECONSTRUCT_QUERY_SCHEMA },
    config: {
      openapi: {
        summary: 'Reconstruct the faces of one image: JSON (faces, boxes, 68 landmarks, pose, model) or one face\'s mesh',
        requestBody: { 'image/jpeg': binary, 'image/png': binary, 'image/webp': binary, 'application/octet-stream': binary, 'multipart/form-data': { type: 'object', properties: { image: binary } } },
        responses: {
          200: { description: 'format=json: the prnet-faces/2 document plus model sha256 (and texturePng / depthPng / pnccPng as base64 when asked); format=glb|obj|ply: the mesh; format=npy: the position map; format=stl: the printable relief; format=pts: the 68 landmarks as an iBUG .pts file; format=aligned: the aligned face picture (PNG)', content: { 'application/json': { type: 'object' }, 'model/gltf-binary': binary, 'model/obj': { type: 'string' }, 'application/ply': binary, [NPY_TYPE]: binary, [STL_TYPE]: binary, 'text/plain': { type: 'string' }, 'image/png': binary } },
          ...errorResponses(['empty_body', 'invalid_request', 'body_too_large', 'unsupported_content_type', 'not_an_image', 'corrupt_image', 'too_many_pixels', 'no_face', 'no_such_face', 'not_ready', 'overloaded', 'shutting_down', 'timeout', 'internal_error']),
        },
      },
    },
    onRequest: (request, reply) => admit(request, reply),
  }, async (request, reply) => {
    const req = reconstructQuery(request.query as ReconstructQuery);
    let bytes: Uint8Array | undefined;
    if (request.isMultipart()) {
      bytes = await multipartImage(request, reply);
    } else {
      bytes = request.body as Uint8Array | undefined;
    }
    if (!bytes || bytes.length === 0) throw apiError('empty_body', 'the request has no image (empty body)');
    return runAdmitted(request, reply, answer(service!, bytes, req));
  });

  app.post('/v1/paint', {
    schema: { querystring: PAINT_QUERY_SCHEMA },
    config: {
      openapi: {
        summary: 'Texture editing: a UV texture (256×256, alpha = how much of each texel to change) painted onto a face of the image, which comes back edited',
        requestBody: { 'multipart/form-data': { type: 'object', properties: { image: binary, texture: binary }, required: ['image', 'texture'] } },
        responses: {
          200: { description: 'the edited image (format=png|jpeg|webp)', content: { 'image/png': binary, 'image/jpeg': binary, 'image/webp': binary } },
          ...errorResponses(['empty_body', 'invalid_request', 'body_too_large', 'unsupported_content_type', 'not_an_image', 'corrupt_image', 'too_many_pixels', 'not_a_uv_texture', 'no_face', 'no_such_face', 'not_ready', 'overloaded', 'shutting_down', 'timeout', 'internal_error']),
        },
      },
    },
    onRequest: (request, reply) => admit(request, reply),
  }, async (request, reply) => {
    const query = request.query as PaintQuery;
    if (!request.isMultipart()) throw apiError('unsupported_content_type', 'send multipart/form-data with two files: image (the photo) and texture (the 256×256 UV texture)');
    const parts = await multipartFiles(request, reply, ['image', 'texture']);
    return runAdmitted(request, reply, paint(service!, parts.image!, parts.texture!, query));
  });

  /** Admission before the body is read: a full queue answers at once, never buffers. */
  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (closing) {
      reply.header('connection', 'close');
      return sendError(reply, 'shutting_down', 'the server is shutting down');
    }
    if (!service) return sendError(reply, 'not_ready', 'the model is loading; see /readyz');
    const release = gate.tryAdmit();
    if (!release) {
      metrics.rejections.inc();
      reply.header('retry-after', String(o.retryAfterSeconds));
      return sendError(reply, 'overloaded', `the queue is full (${gate.capacity} requests); retry after ${o.retryAfterSeconds} s`);
    }
    stateOf.set(request, { release, started: performance.now() });
    return undefined;
  }

  /** Answers an admitted request with its work, within `--timeout`; the slot is held until the work ends. */
  async function runAdmitted(request: FastifyRequest, reply: FastifyReply, work: Promise<{ type: string; body: unknown; faces: number }>): Promise<unknown> {
    const state = stateOf.get(request)!;
    state.work = work;
    // The admission slot is held until the work itself ends, even when the client has gone
    // or the request timed out (its network call still runs): memory stays bounded.
    work.then(state.release, state.release);
    let timer: NodeJS.Timeout | undefined;
    const left = o.timeoutMs - (performance.now() - state.started);
    const timeout = o.timeoutMs > 0 ? new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(apiError('timeout', `the request took longer than ${o.timeoutMs} ms (--timeout)`)), Math.max(0, left));
    }) : undefined;
    try {
      const out = await (timeout ? Promise.race([work, timeout]) : work);
      reply.header('x-prnet-faces', String(out.faces)).header('x-prnet-model-sha256', service!.model.sha256).type(out.type);
      return out.body;
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  /** Paints a UV texture onto a face of the image (`applyFaceTexture`) and encodes the image. */
  async function paint(s: FaceService, imageBytes: Uint8Array, textureBytes: Uint8Array, query: PaintQuery): Promise<{ type: string; body: unknown; faces: number }> {
    let uv: UvTextureFile;
    try {
      uv = await readUvTexture(Buffer.from(textureBytes), s.prnet.assets.uvSize, 'texture');
    } catch (err) {
      throw apiError('not_a_uv_texture', (err as Error).message);
    }
    const { image, faces } = await s.reconstruct(imageBytes, { maxFaces: query.face + 1, outputs: { pose: false, colors: false, visibility: false } }, (stage, seconds) => metrics.stageSeconds.observe({ stage }, seconds));
    metrics.facesPerImage.observe(faces.length);
    const face = faces[query.face];
    if (!face) throw apiError('no_such_face', `face ${query.face} asked for, ${faces.length} found`);
    const t0 = performance.now();
    try {
      const edited = applyFaceTexture(image, face, uv.texture, s.prnet.assets, { blend: query.blend, region: query.region, ...(uv.alpha ? { alpha: uv.alpha } : {}) });
      return { type: `image/${query.format}`, body: Buffer.from(await encodeImage(edited.image, { format: query.format })), faces: faces.length };
    } finally {
      metrics.stageSeconds.observe({ stage: 'encode' }, (performance.now() - t0) / 1000);
    }
  }

  /** Runs the pipeline and encodes the answer. */
  async function answer(s: FaceService, bytes: Uint8Array, req: ReconstructRequest): Promise<{ type: string; body: unknown; faces: number }> {
    const oneFace = req.format !== 'json';
    const mesh = oneFace && req.format !== 'npy' && req.format !== 'stl' && req.format !== 'pts' && req.format !== 'aligned';
    const { image, faces } = await s.reconstruct(bytes, {
      maxFaces: oneFace ? Math.max(req.maxFaces, req.face + 1) : req.maxFaces,
      uprightMinRoll: req.uprightMinRoll,
      mapSmoothing: req.mapSmoothing,
      outputs: {
        pose: true,
        colors: mesh,
        texture: req.extras.includes('texture') || req.format === 'glb' ? req.texture : false,
        depth: req.extras.includes('depth'),
        frontal: req.format === 'stl',
        ...(req.fovY !== undefined ? { cameraFovY: req.fovY } : {}),
      },
    }, (stage, seconds) => metrics.stageSeconds.observe({ stage }, seconds));
    metrics.facesPerImage.observe(faces.length);
    const t0 = performance.now();
    try {
      const flip = { imageHeight: image.height };
      if (oneFace) {
        const f = faces[req.face];
        if (!f) throw apiError('no_such_face', `face ${req.face} asked for, ${faces.length} found`);
        const uv = s.prnet.assets.uvSize;
        if (req.format === 'npy') return { type: NPY_TYPE, body: Buffer.from(encodeNpy(f.positionMap, [uv, uv, 3])), faces: faces.length };
        if (req.format === 'pts') return { type: PTS_TYPE, body: encodePts(f.landmarks, 3), faces: faces.length };
        if (req.format === 'aligned') return { type: 'image/png', body: Buffer.from(await encodeImage(alignFace(image, f.landmarks, req.align).image)), faces: faces.length };
        if (req.format === 'stl') return { type: STL_TYPE, body: Buffer.from(encodeStl(faceRelief(f.frontalVertices!, s.prnet.assets.triangles))), faces: faces.length };
        // space=camera: the mesh in the perspective camera's space, metres, y up (as --camera-space).
        const inCamera = req.space === 'camera';
        if (inCamera && !(f.pose && f.camera)) throw apiError('no_such_face', `face ${req.face} has no perspective pose to place it in camera space`);
        const vertices = inCamera ? cameraSpaceVertices(f.vertices, f.pose!, f.camera!, canonicalEyeCentres(s.prnet.assets)) : f.vertices;
        const frame = inCamera ? {} : flip;
        const m = { vertices, triangles: s.prnet.assets.triangles, colors: f.colors };
        if (req.format === 'obj') return { type: 'model/obj', body: encodeObj(m, frame).obj, faces: faces.length };
        if (req.format === 'ply') return { type: 'application/ply', body: Buffer.from(encodePly(m, frame)), faces: faces.length };
        const texture = f.texture ? { png: await encodeImage(f.texture), faceIndices: s.prnet.assets.faceIndices, uvSize: s.prnet.assets.uvSize } : undefined;
        return { type: 'model/gltf-binary', body: Buffer.from(await encodeGlb({ ...m, texture }, inCamera ? { scale: 1 } : flip)), faces: faces.length };
      }
      const b64 = async (img: Parameters<typeof encodeImage>[0]) => Buffer.from(await encodeImage(img)).toString('base64');
      const doc = reconstructDocument({
        image: { width: image.width, height: image.height },
        model: s.model,
        faces: faces.map((f) => ({ landmarks: f.landmarks, vertices: f.vertices, pose: f.pose, camera: f.camera, box: f.box, score: f.score })),
        textures: req.extras.includes('texture') ? await Promise.all(faces.map((f) => b64(f.texture!))) : undefined,
        depth: req.extras.includes('depth') ? await b64(mergeDepth(image.width, image.height, faces.map((f) => f.depth!))) : undefined,
        pncc: req.extras.includes('pncc') ? await b64(renderPncc(faces.map((f) => f.vertices), s.prnet.assets.triangles, nccColors(s.prnet.assets.canonicalVertices), image.width, image.height)) : undefined,
      });
      return { type: 'application/json', body: doc, faces: faces.length };
    } finally {
      metrics.stageSeconds.observe({ stage: 'encode' }, (performance.now() - t0) / 1000);
    }
  }

  return {
    app,
    loaded,
    service: () => service,
    async close() {
      closing = true;
      closeStage = 'answering the requests in flight';
      const closed = app.close();
      let lingerSince: number | undefined;
      const sweep = setInterval(() => {
        if (openResponses > 0) {
          lingerSince = undefined;
          return;
        }
        closeStage = 'closing the connections';
        app.server.closeIdleConnections();
        lingerSince ??= performance.now();
        if (performance.now() - lingerSince >= SHUTDOWN_LINGER_MS) app.server.closeAllConnections();
      }, 100);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
      }
      closeStage = 'stopping the network workers';
      await loaded.catch(() => undefined);
      if (!o.service) await service?.dispose();
      service = undefined;
      closeStage = undefined;
    },
    closeStage: () => closeStage,
  };
}
