import {
  OrtooError,
  parseMemberId,
  parseServiceId,
  parseSubsystemId,
  type GlobalConf,
  type GlobalConfIndex,
  type GlobalConfService,
  xroadEndpointPath,
} from '../../../core/src';
import { xmlText } from './xml-text';

/**
 * X-Road's REST metaservices, answered by the client proxy from the global
 * configuration alone: no message is exchanged. The shapes are X-Road's
 * (`PR-META` for `listClients`, in XML by default and in JSON on request,
 * `PR-MREST` for `listMethods` and `allowedMethods`), so existing X-Road
 * tooling reads them.
 */

/** A member or subsystem in `listClients`. */
export interface XRoadClientId {
  readonly object_type: 'MEMBER' | 'SUBSYSTEM';
  readonly xroad_instance: string;
  readonly member_class: string;
  readonly member_code: string;
  readonly subsystem_code?: string;
}

/** The answer of `listClients`. */
export interface ClientList {
  readonly member: readonly { readonly id: XRoadClientId; readonly name: string }[];
}

/** A service in `listMethods` and `allowedMethods`. */
export interface XRoadServiceId {
  readonly object_type: 'SERVICE';
  readonly xroad_instance: string;
  readonly member_class: string;
  readonly member_code: string;
  readonly subsystem_code: string;
  readonly service_code: string;
  readonly service_version: string;
  /** Every Örtöö service has an OpenAPI description (`getOpenAPI`). */
  readonly service_type: 'OPENAPI';
  /** Its endpoints, as PR-MREST lists them. */
  readonly endpoint_list: readonly XRoadEndpoint[];
}

/** An endpoint in `listMethods` and `allowedMethods`: a method (or `*`) and a path, templated segments as `*`. */
export interface XRoadEndpoint {
  readonly method: string;
  readonly path: string;
}

/** The endpoint of a single-schema service: every method on every path below it, as X-Road writes it. */
const ANY_ENDPOINT: readonly XRoadEndpoint[] = [{ method: '*', path: '**' }];

/**
 * The endpoints of a service as X-Road lists them: those of its OpenAPI
 * document, each templated segment the wildcard `*` (`GET /persons/*`), or,
 * for a single-schema service, `* **`.
 */
export function endpointListOf(service: GlobalConfService): readonly XRoadEndpoint[] {
  if (service.endpoints === undefined) return ANY_ENDPOINT;
  return service.endpoints.map(({ method, path }) => ({ method, path: xroadEndpointPath(path) }));
}

/** The answer of `listMethods` and `allowedMethods`. */
export interface ServiceList {
  readonly service: readonly XRoadServiceId[];
}

/**
 * Every active member and the subsystems of each, as X-Road lists the
 * clients of an instance; nothing for another instance than the
 * configuration's own.
 */
export function listClients(conf: GlobalConf, instance: string = conf.instance): ClientList {
  if (instance !== conf.instance) return { member: [] };
  const names = new Map<string, string>();
  const member: { id: XRoadClientId; name: string }[] = [];
  for (const entry of conf.members) {
    if (entry.status !== 'active') continue;
    names.set(entry.id, entry.name);
    const id = parseMemberId(entry.id);
    member.push({
      id: {
        object_type: 'MEMBER',
        xroad_instance: id.instance,
        member_class: id.memberClass,
        member_code: id.memberCode,
      },
      name: entry.name,
    });
  }
  for (const subsystem of conf.subsystems) {
    const name = names.get(subsystem.memberId);
    if (name === undefined) continue; // of a revoked member
    const id = parseSubsystemId(subsystem.id);
    member.push({
      id: {
        object_type: 'SUBSYSTEM',
        xroad_instance: id.instance,
        member_class: id.memberClass,
        member_code: id.memberCode,
        subsystem_code: id.subsystemCode,
      },
      name,
    });
  }
  return { member };
}

/** The namespaces of PR-META annex A: X-Road's messages and its identifiers. */
const XROAD_NS = 'http://x-road.eu/xsd/xroad.xsd';
const IDENTIFIERS_NS = 'http://x-road.eu/xsd/identifiers';

/** One `member` of a `clientList` in XML (PR-META annex A, `ClientType`). */
function clientXml(entry: ClientList['member'][number]): string {
  const { id } = entry;
  const subsystem =
    id.subsystem_code === undefined
      ? ''
      : `<id:subsystemCode>${xmlText(id.subsystem_code)}</id:subsystemCode>`;
  return (
    `<xrd:member><xrd:id id:objectType="${id.object_type}">` +
    `<id:xRoadInstance>${xmlText(id.xroad_instance)}</id:xRoadInstance>` +
    `<id:memberClass>${xmlText(id.member_class)}</id:memberClass>` +
    `<id:memberCode>${xmlText(id.member_code)}</id:memberCode>${subsystem}</xrd:id>` +
    `<xrd:name>${xmlText(entry.name)}</xrd:name></xrd:member>`
  );
}

/**
 * `listClients` as the `clientList` XML element of PR-META 2 (annex A), the
 * form X-Road answers unless JSON is asked for.
 */
export function clientListXml(list: ClientList): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<xrd:clientList xmlns:xrd="${XROAD_NS}" xmlns:id="${IDENTIFIERS_NS}">` +
    list.member.map(clientXml).join('') +
    '</xrd:clientList>'
  );
}

function serviceIdOf(service: GlobalConfService): XRoadServiceId {
  const id = parseServiceId(service.id);
  return {
    object_type: 'SERVICE',
    xroad_instance: id.instance,
    member_class: id.memberClass,
    member_code: id.memberCode,
    subsystem_code: id.subsystemCode,
    service_code: id.serviceCode,
    service_version: service.version,
    service_type: 'OPENAPI',
    endpoint_list: endpointListOf(service),
  };
}

/** The enabled services (every version) of a registered provider subsystem. */
function servicesOf(index: GlobalConfIndex, provider: string): GlobalConfService[] {
  if (index.subsystem(provider) === undefined) {
    throw new OrtooError('NotFound', `No subsystem ${provider}`, { detail: { subsystem: provider } });
  }
  return index.conf.services.filter((service) => service.providerId === provider && service.enabled);
}

/**
 * `listMethods`: the services a provider subsystem offers, one entry per
 * enabled version, each with its endpoints.
 *
 * @throws OrtooError `NotFound` for a subsystem the configuration does not list.
 */
export function listMethods(index: GlobalConfIndex, provider: string): ServiceList {
  return { service: servicesOf(index, provider).map(serviceIdOf) };
}

/**
 * `allowedMethods`: the services of {@link listMethods} that `client` may
 * call (an access right of its own or of a global group it is in).
 *
 * @throws OrtooError `NotFound` for a subsystem the configuration does not list.
 */
export function allowedMethods(index: GlobalConfIndex, provider: string, client: string): ServiceList {
  return {
    service: servicesOf(index, provider)
      .filter((service) => index.mayCall(client, service.id))
      .map(serviceIdOf),
  };
}
