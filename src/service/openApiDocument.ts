/**
 * An OpenAPI 3.0 description built from the routes' own JSON schemas (the same objects
 * Fastify validates requests with), so the description cannot drift from the checks.
 * Isomorphic.
 */

/** A JSON schema object (as Fastify and OpenAPI take them). */
export type JsonSchema = Record<string, unknown>;

/** What {@link openApiDocument} needs of one route. */
export interface OpenApiRoute {
  /** HTTP method, upper case. */
  method: string;
  /** Path, Fastify style (`/v1/models`). */
  url: string;
  /** One line. */
  summary?: string;
  /** Query-string schema (an object schema: each property becomes a parameter). */
  querystring?: JsonSchema;
  /** Request body media types and their schemas. */
  requestBody?: Record<string, JsonSchema>;
  /** Responses by status: description and, per media type, a schema. */
  responses?: Record<string, { description: string; content?: Record<string, JsonSchema> }>;
  /** Security requirements (any one of them), naming schemes of the document's `components.securitySchemes`. */
  security?: Record<string, string[]>[];
}

/** Document metadata. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/**
 * The OpenAPI document for the given routes (sorted by path, then method).
 *
 * ```ts
 * const doc = openApiDocument({ title: 'prnet', version: '0.1.0' }, routes);
 * doc.paths['/v1/reconstruct'].post.parameters; // from the query schema
 * ```
 */
export function openApiDocument(info: OpenApiInfo, routes: readonly OpenApiRoute[], components?: { securitySchemes?: Record<string, unknown> }): { openapi: string; info: OpenApiInfo; paths: Record<string, Record<string, unknown>>; components?: { securitySchemes?: Record<string, unknown> } } {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const r of sorted) {
    const props = (r.querystring?.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((r.querystring?.required ?? []) as string[]);
    const op: Record<string, unknown> = {
      ...(r.summary ? { summary: r.summary } : {}),
      ...(Object.keys(props).length ? {
        parameters: Object.entries(props).map(([name, schema]) => {
          const { description, ...rest } = schema;
          return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest };
        }),
      } : {}),
      ...(r.security ? { security: r.security } : {}),
      ...(r.requestBody ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(r.requestBody).map(([type, schema]) => [type, { schema }])) } } : {}),
      responses: Object.fromEntries(Object.entries(r.responses ?? { 200: { description: 'OK' } }).map(([status, res]) => [
        status,
        { description: res.description, ...(res.content ? { content: Object.fromEntries(Object.entries(res.content).map(([type, schema]) => [type, { schema }])) } : {}) },
      ])),
    };
    (paths[r.url] ??= {})[r.method.toLowerCase()] = op;
  }
  return { openapi: '3.0.3', info, paths, ...(components ? { components } : {}) };
}
