/**
 * The query of `POST /v1/paint` (texture editing over HTTP): its JSON schema, which
 * validates requests and feeds `/openapi.json`, and the typed form. Isomorphic.
 */

/** Image formats the edited picture can come back in. */
export const PAINT_FORMATS = ['png', 'jpeg', 'webp'] as const;

/** JSON schema of the query string (Fastify validates with it; OpenAPI lists it). */
export const PAINT_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    face: { type: 'integer', minimum: 0, maximum: 15, default: 0, description: 'which face to paint (0 = the most confident)' },
    blend: { type: 'string', enum: ['normal', 'mixed', 'none', 'over'], default: 'normal', description: 'normal / mixed: Poisson blending of the re-rendered face; none: paste it; over: only the texture\'s texels, by their alpha, no blending' },
    region: { type: 'string', enum: ['face', 'eyes'], default: 'face', description: 'the texels the texture may change' },
    format: { type: 'string', enum: [...PAINT_FORMATS], default: 'png', description: 'format of the edited image' },
  },
} as const;

/** The query as Fastify hands it over after validation (defaults filled in). */
export interface PaintQuery {
  face: number;
  blend: 'normal' | 'mixed' | 'none' | 'over';
  region: 'face' | 'eyes';
  format: (typeof PAINT_FORMATS)[number];
}
