// @moneybag/api: the service's HTTP contract, once: every JSON body as a schema, every endpoint with its
// body and answer. Pure TypeScript (no DOM, no Node); the apps import its types, the server its schemas.
export * from './bodies.ts';
export { endpointsMarkdown, shape } from './doc.ts';
export {
  collectorAdmin,
  ENDPOINTS,
  type Endpoint,
  issuerAdmin,
  type Party,
  protocol,
  registration,
  relayAdmin,
  service,
} from './endpoints.ts';
export { allEndpoints, openapi, RAW_TYPE } from './openapi.ts';
