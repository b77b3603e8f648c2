// Refusals with the protocol's codes, and reading a request's body as the protocol's message or a JSON object.

import type { Endpoint } from '@moneybag/api';
import { CODE_TEXT, type Code } from '@moneybag/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Static, TSchema } from 'typebox';

export const RAW_TYPE = 'application/vnd.moneybag';

/** A refusal: a 4xx status with `{code, message}`; nothing was stored. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string = CODE_TEXT[code],
  ) {
    super(message);
  }
}
export function refuse(status: number, code: Code, message?: string): never {
  throw new Refusal(status, code, message);
}

const mediaType = (req: FastifyRequest) =>
  (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/** The raw protocol message of a request; any other content type is E_REQUEST. */
export function rawBody(req: FastifyRequest): Uint8Array {
  if (mediaType(req) !== RAW_TYPE || !Buffer.isBuffer(req.body))
    return refuse(400, 'E_REQUEST', `send the message raw with Content-Type: ${RAW_TYPE}`);
  const b = req.body as Buffer;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The JSON object of a request; any other content type is E_REQUEST. */
export function jsonBody<T>(req: FastifyRequest): T {
  const b = req.body;
  if (
    mediaType(req) !== 'application/json' ||
    b === null ||
    typeof b !== 'object' ||
    Array.isArray(b) ||
    Buffer.isBuffer(b)
  )
    return refuse(400, 'E_REQUEST', 'send a JSON object with Content-Type: application/json');
  return b as T;
}

/**
 * Mounts a handler on an endpoint of @moneybag/api: Fastify validates the JSON body (and the query) with its
 * schemas and writes the answer with its 200 schema; `config.auth` names the roles the auth hook admits.
 */
export function route<E extends Endpoint>(
  app: FastifyInstance,
  e: E,
  handler: (req: FastifyRequest, reply: FastifyReply) => Promise<Static<E['answer']> | FastifyReply>,
  opts: Pick<RouteShorthandOptions, 'bodyLimit' | 'onRequest' | 'config'> = {},
): void {
  const json = e.body && !('raw' in e.body) ? (e.body as TSchema) : undefined;
  // A relay has no parties: its operator's routes bring their own check.
  const relayOperator = e.auth === 'relay operator';
  if (relayOperator && !opts.onRequest) throw new Error(`${e.url} needs the relay operator's check`);
  app.route({
    method: e.method,
    url: e.url,
    ...(opts.bodyLimit && { bodyLimit: opts.bodyLimit }),
    ...(opts.onRequest && { onRequest: opts.onRequest }),
    schema: {
      ...(json && { body: json }),
      ...(e.query && { querystring: e.query }),
      response: { 200: e.answer },
    },
    config: {
      ...opts.config,
      ...(e.auth && e.auth !== 'relay operator' && { auth: e.auth }),
      ...(e.peers && { peers: true }),
    },
    handler,
  });
}
