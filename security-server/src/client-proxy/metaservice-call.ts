import type { IncomingHttpHeaders } from 'node:http';
import { OrtooError } from '../../../core/src';
import { assertMayActAs, type AuthenticatedLocalSystem } from '../local-systems';
import type { ExchangeContext } from './exchange-context';
import { jsonAnswer, type HttpAnswer } from './http-answer';
import { allowedMethods, clientListXml, listClients, listMethods } from './metaservices';
import { openApiOf, registeredOpenApi } from './openapi-from-schemas';
import type { ProxyRoute } from './proxy-route';
import { clientOf } from './request-envelope';
import type { ServiceSchemas } from './service-schemas';

/** A metaservice request, its URL read. */
export type MetaserviceRoute = Extract<
  ProxyRoute,
  { kind: 'listClients' | 'listMethods' | 'allowedMethods' | 'getOpenAPI' }
>;

/**
 * True when an `Accept` header asks for `application/json` (with a quality
 * above 0): `listClients` then answers JSON, and `text/xml` otherwise
 * (PR-META 2), `*\/*` included.
 */
export function acceptsJson(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const quality = params.find((param) => param.startsWith('q='));
    return type === 'application/json' && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

/**
 * Answers one of X-Road's REST metaservices from the global configuration
 * (and, for `getOpenAPI`, the service's OpenAPI document or schemas from the gateway):
 * `listClients` as `clientList` XML unless the local system accepts JSON;
 * `allowedMethods` for the `X-Road-Client` the local system may act as;
 * `getOpenAPI?serviceCode=X` (optionally `&serviceVersion=V` or
 * `X-Ortoo-Service-Version`, else the current version).
 *
 * @throws OrtooError `BadRequest` for another method than GET or a missing
 *   `serviceCode`; `NotFound`; `UnknownService` for a `serviceCode` the
 *   provider does not have (a `Client.*` error, hence 400: PR-MREST annex A
 *   gives `getOpenAPI` only 200, 400 and 500); and the errors of fetching a
 *   schema.
 */
export async function callMetaservice(
  context: ExchangeContext,
  schemas: ServiceSchemas,
  system: AuthenticatedLocalSystem,
  route: MetaserviceRoute,
  request: { readonly method: string; readonly headers: IncomingHttpHeaders },
): Promise<HttpAnswer> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new OrtooError('BadRequest', `Metaservice ${route.kind} is read with GET`);
  }
  const index = context.deps.conf.index();
  switch (route.kind) {
    case 'listClients': {
      const list = listClients(index.conf, route.instance);
      if (acceptsJson(request.headers.accept)) return jsonAnswer(200, list);
      return {
        status: 200,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: Buffer.from(clientListXml(list), 'utf8'),
      };
    }
    case 'listMethods':
      return jsonAnswer(200, listMethods(index, route.provider));
    case 'allowedMethods': {
      const client = clientOf(request.headers);
      assertMayActAs(system, client);
      return jsonAnswer(200, allowedMethods(index, route.provider, client));
    }
    case 'getOpenAPI': {
      const query = new URLSearchParams(route.query);
      const code = query.get('serviceCode');
      if (code === null || code === '') {
        throw new OrtooError('BadRequest', 'getOpenAPI needs ?serviceCode=<service code>', {
          detail: { parameter: 'serviceCode' },
        });
      }
      const headerVersion = request.headers['x-ortoo-service-version'];
      const version =
        query.get('serviceVersion') ?? (typeof headerVersion === 'string' ? headerVersion : undefined);
      const id = `${route.provider}/${code}`;
      const service = index.service(id, version);
      if (service === undefined) {
        throw new OrtooError(
          'UnknownService',
          `No service ${id}${version === undefined ? '' : ` version ${version}`}`,
          {
            detail: { service: id, ...(version === undefined ? {} : { version }) },
          },
        );
      }
      if (service.openapiHash !== undefined) {
        const document = await schemas.get(service.openapiHash);
        return jsonAnswer(200, registeredOpenApi(document, service));
      }
      const [requestSchema, responseSchema] = await Promise.all([
        schemas.get(service.requestSchemaHash),
        schemas.get(service.responseSchemaHash),
      ]);
      return jsonAnswer(200, openApiOf({ service, requestSchema, responseSchema }));
    }
  }
}
