/**
 * The Prometheus metrics of `prnet serve` (prom-client, one registry per server): request
 * counts by route and status, latency histograms per request and per stage, queue depth,
 * requests in flight, faces per image, and the process's default metrics (memory, CPU,
 * event-loop lag).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prefix of every metric name. */
export const METRICS_PREFIX = 'prnet_';

/** Latency buckets in seconds: 5 ms … 30 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The metrics a server updates. */
export interface ServerMetrics {
  registry: Registry;
  /** `prnet_http_requests_total{method, route, status}`. */
  requests: Counter<'method' | 'route' | 'status'>;
  /** `prnet_http_request_duration_seconds{route}`. */
  requestSeconds: Histogram<'route'>;
  /** `prnet_stage_duration_seconds{stage}`: decode, detect, network, restore, encode. */
  stageSeconds: Histogram<'stage'>;
  /** `prnet_faces_per_image`. */
  facesPerImage: Histogram<string>;
  /** `prnet_overload_rejections_total`: requests answered 503 because the queue was full. */
  rejections: Counter<string>;
}

/**
 * Creates the registry and its metrics. `state` is read on every scrape for the gauges
 * `prnet_queue_depth` (admitted requests not on a network worker), `prnet_requests_in_flight`
 * and `prnet_ready`.
 *
 * ```ts
 * const metrics = serverMetrics(() => ({ queueDepth: 0, inFlight: 0, ready: true }));
 * reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 * ```
 */
export function serverMetrics(state: () => { queueDepth: number; inFlight: number; ready: boolean }): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  const g = (name: string, help: string, read: () => number) =>
    new Gauge({ name: METRICS_PREFIX + name, help, registers: [registry], collect() { this.set(read()); } });
  g('queue_depth', 'Admitted reconstruct requests waiting (not running on a network worker)', () => state().queueDepth);
  g('requests_in_flight', 'Admitted reconstruct requests not yet finished', () => state().inFlight);
  g('ready', '1 once the model is loaded, 0 before and while shutting down', () => (state().ready ? 1 : 0));
  return {
    registry,
    requests: new Counter({ name: `${METRICS_PREFIX}http_requests_total`, help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    requestSeconds: new Histogram({ name: `${METRICS_PREFIX}http_request_duration_seconds`, help: 'HTTP request latency by route', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    stageSeconds: new Histogram({ name: `${METRICS_PREFIX}stage_duration_seconds`, help: 'Seconds per pipeline stage of a reconstruct request', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    facesPerImage: new Histogram({ name: `${METRICS_PREFIX}faces_per_image`, help: 'Faces found per reconstructed image', buckets: [0, 1, 2, 4, 8, 16], registers: [registry] }),
    rejections: new Counter({ name: `${METRICS_PREFIX}overload_rejections_total`, help: 'Requests refused with 503 because the queue was full', registers: [registry] }),
  };
}
