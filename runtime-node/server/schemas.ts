// JSON schemas of the classify route: fastify validates requests with ajv (shape, types, lengths)
// and serialises responses with fast-json-stringify from the response schema.

export function classifyBodySchema(width: number, maxBeats: number) {
  return {
    type: 'object',
    required: ['beats'],
    additionalProperties: false,
    properties: {
      beats: {
        type: 'array',
        minItems: 1,
        maxItems: maxBeats,
        items: { type: 'array', minItems: width, maxItems: width, items: { type: 'number' } },
      },
    },
  } as const;
}

const classInfo = { type: 'object', properties: { label: { type: 'string' }, name: { type: 'string' } } } as const;

export const classifyResponseSchema = {
  type: 'object',
  properties: {
    predictions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          label: { type: 'string' },
          name: { type: 'string' },
          classIndex: { type: 'integer' },
          probabilities: { type: 'array', items: { type: 'number' } },
        },
      },
    },
    model: {
      type: 'object',
      properties: { provider: { type: 'string' }, sourceSha256: { type: 'string' }, classes: { type: 'array', items: classInfo } },
    },
  },
} as const;
