// Refusals with the protocol's codes, and the small request guards every route shares.
import { CODE_TEXT, type Code } from '@moneybag/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Party, Role, Service } from './service.ts';

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
export const refuse = (status: number, code: Code, message?: string): never => {
  throw new Refusal(status, code, message);
};

const parties = new WeakMap<FastifyRequest, Party>();

/**
 * An onRequest hook: authenticates before the body is read or validated, so that a stranger gets
 * 401/403 rather than a verdict on a body it had no right to send.
 */
export const guard =
  (s: Service, ...roles: Role[]) =>
  async (req: FastifyRequest): Promise<void> => {
    parties.set(req, await authenticate(s, req, ...roles));
  };

/** The party a guard authenticated. */
export const partyOf = (req: FastifyRequest): Party => parties.get(req)!;

/** The party named by the bearer token: 401 if missing or unknown, 403 if not one of `roles`. */
export async function authenticate(s: Service, req: FastifyRequest, ...roles: Role[]): Promise<Party> {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (!m) return refuse(401, 'E_AUTH', 'send Authorization: Bearer <token>');
  const party = await s.partyOfToken(m[1]);
  if (!party) return refuse(401, 'E_AUTH', 'unknown token');
  if (roles.length && !roles.includes(party.role))
    return refuse(403, 'E_FORBIDDEN', `this needs the token of a ${roles.join(' or ')}`);
  return party;
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
