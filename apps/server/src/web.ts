// The built web apps under one origin, each with an SPA fallback; a missing build gives a page saying so.
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { service } from '@moneybag/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { route } from './http.ts';

const APPS = fileURLToPath(new URL('../../', import.meta.url));

/** URL prefix -> folder holding its index.html (and, for Vite's base '/', where /assets/ lives). */
export const PAGES: { prefix: string; dir: string; title: string }[] = [
  { prefix: '/wallet/', dir: `${APPS}wallet/dist`, title: 'Wallet' },
  { prefix: '/pos/', dir: `${APPS}pos/dist`, title: 'Point of sale' },
  { prefix: '/collector/', dir: `${APPS}collector/dist/collector`, title: 'Collector' },
  { prefix: '/issuer/', dir: `${APPS}collector/dist/issuer`, title: 'Issuer' },
];
const COLLECTOR_ASSETS = `${APPS}collector/dist/assets`;
/** The landing page, the start of the demo (built with the collector's pages). */
const LANDING = `${APPS}collector/dist/landing`;

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">${body}</body></html>`;

const notBuilt = (reply: FastifyReply, title: string) =>
  reply
    .type('text/html; charset=utf-8')
    .send(
      page(
        title,
        `<h1>${title}</h1><p>This app is not built yet. Run <code>npm run build</code>, then reload.</p>`,
      ),
    );

export async function webRoutes(app: FastifyInstance): Promise<void> {
  let decorated = false;
  const serve = async (prefix: string, root: string) => {
    await app.register(fastifyStatic, {
      root,
      prefix,
      decorateReply: !decorated,
      wildcard: true,
      redirect: true,
    });
    decorated = true;
  };
  for (const p of PAGES) if (existsSync(`${p.dir}/index.html`)) await serve(p.prefix, p.dir);
  if (existsSync(COLLECTOR_ASSETS)) await serve('/assets/', COLLECTOR_ASSETS);
  if (!decorated) {
    // sendFile is needed by the fallback below even when nothing is built.
    await app.register(fastifyStatic, { root: APPS, serve: false });
  }

  // This machine's addresses on the network, for the landing page's QR codes (a phone cannot open localhost).
  route(app, service.demoAddresses, async (req) => {
    const port = new URL(`http://${req.headers.host ?? 'localhost'}`).port;
    const origins = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => `http://${a!.address}${port ? `:${port}` : ''}`);
    return { origins };
  });

  app.get('/', (_req, reply) =>
    existsSync(`${LANDING}/index.html`)
      ? reply.type('text/html; charset=utf-8').sendFile('index.html', LANDING)
      : reply
          .type('text/html; charset=utf-8')
          .send(
            page(
              'Moneybag',
              `<h1>Moneybag</h1><ul>${PAGES.map((p) => `<li><a href="${p.prefix}">${p.title}</a></li>`).join('')}</ul>`,
            ),
          ),
  );
}

/** For a path under an app: its index.html (the app routes itself), or the "run npm run build" page. */
export function spaFallback(url: string, reply: FastifyReply): FastifyReply | undefined {
  const path = url.split('?')[0];
  const p = PAGES.find((x) => path === x.prefix.slice(0, -1) || path.startsWith(x.prefix));
  if (!p) return undefined;
  if (!existsSync(`${p.dir}/index.html`)) return notBuilt(reply, p.title);
  if (path === p.prefix.slice(0, -1)) return reply.redirect(p.prefix);
  return reply.type('text/html; charset=utf-8').sendFile('index.html', p.dir);
}
