// Refusals with the protocol's codes, and reading a request's body as the protocol's message or a JSON object.
import { CODE_TEXT, type Code } from '@moneybag/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';

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

export const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).send(body);
