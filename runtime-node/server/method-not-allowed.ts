// 405 with an Allow header for a known path asked with another method (fastify's default would be a
// 404, which tells the client the path is wrong when only the method is). Shared by /v1 and /v2.
import type { FastifyInstance, HTTPMethods } from 'fastify';

const ALL_METHODS: readonly HTTPMethods[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** Routes every method `allowed` lacks on `url` to a 405 whose body is `body(message)`. */
export function answerOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[], body: (statusCode: number, message: string) => object): void {
  const others = ALL_METHODS.filter((m) => !allowed.includes(m));
  app.route({
    method: others,
    url,
    handler: async (request, reply) =>
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(body(405, `${request.method} ${request.url.split('?')[0]} is not allowed; use ${allowed.filter((m) => m !== 'HEAD').join(' or ')}`)),
  });
}
