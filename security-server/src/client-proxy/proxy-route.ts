import {
  OrtooError,
  formatServiceId,
  formatSubsystemId,
  isValidPart,
  parseServiceId,
  parseSubsystemId,
} from '../../../core/src';

/**
 * What a request to the client proxy asks for, read from its URL alone
 * (X-Road's Message Protocol for REST and its metaservices):
 *
 * | URL                                                    | kind             |
 * |--------------------------------------------------------|------------------|
 * | `/r1/{INSTANCE}/{CLASS}/{CODE}/{SUBSYSTEM}/{SERVICE}[/path][?query]` | `service` |
 * | `/r1/{provider subsystem}/listMethods`                 | `listMethods`    |
 * | `/r1/{provider subsystem}/allowedMethods`              | `allowedMethods` |
 * | `/r1/{provider subsystem}/getOpenAPI?serviceCode=X`    | `getOpenAPI`     |
 * | `/r1/{INSTANCE}/listClients`, `/listClients[?xRoadInstance=I]` | `listClients` |
 * | `/r1/messages/{id}`                                    | `message`        |
 */
export type ProxyRoute =
  | {
      readonly kind: 'service';
      /** `INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE`, decoded and checked. */
      readonly service: string;
      /** Path below the service as sent (still percent-encoded): `''` or starting with `/`. */
      readonly path: string;
      /** Raw query string without `?`. */
      readonly query: string;
    }
  | {
      readonly kind: 'listMethods' | 'allowedMethods' | 'getOpenAPI';
      /** The provider subsystem asked about. */
      readonly provider: string;
      readonly query: string;
    }
  | {
      readonly kind: 'listClients';
      /** The instance asked about; undefined for `/listClients` (this server's own). */
      readonly instance: string | undefined;
    }
  | { readonly kind: 'message'; readonly id: string };

/** Service codes that name X-Road's REST metaservices when they end the URL. */
const METASERVICES = new Set(['listMethods', 'allowedMethods', 'getOpenAPI']);

/** Longest URL read; X-Road's protocol lets a server limit it (clients commonly stop near 2000). */
export const MAX_URL_LENGTH = 8192;

const SERVICE_SHAPE = '/r1/{INSTANCE}/{CLASS}/{CODE}/{SUBSYSTEM}/{SERVICE}[/path][?query]';

/**
 * One identifier part, percent-decoded as X-Road's protocol encodes them
 * (UTF-8, each part on its own).
 *
 * @throws OrtooError `BadRequest` for broken percent-encoding.
 */
export function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new OrtooError('BadRequest', 'Broken percent-encoding in the URL', { cause });
  }
}

/**
 * Checks the path below a service: no `.` or `..` segment (plain or
 * percent-encoded), which could climb out of the provider backend's base path.
 *
 * @throws OrtooError `BadRequest`.
 */
function checkPath(segments: readonly string[]): void {
  for (const segment of segments) {
    const decoded = decodePart(segment);
    if (decoded === '.' || decoded === '..') {
      throw new OrtooError('BadRequest', 'The path below a service may not have "." or ".." segments');
    }
  }
}

/**
 * The `xRoadInstance` of `/listClients?xRoadInstance=AA` (PR-META 2), undefined without one.
 *
 * @throws OrtooError `InvalidIdentifier` for a malformed instance.
 */
function instanceOf(query: string): string | undefined {
  const instance = new URLSearchParams(query).get('xRoadInstance');
  if (instance === null) return undefined;
  if (!isValidPart(instance)) {
    throw new OrtooError('InvalidIdentifier', 'Invalid instance identifier', {
      detail: { kind: 'instance', expected: 'INSTANCE' },
    });
  }
  return instance;
}

/**
 * Reads a client proxy URL (`req.originalUrl`: the path as sent, and the
 * query) into what it asks for. Identifiers are decoded and checked here; the
 * path below a service and the query are kept exactly as sent, so the
 * provider's backend gets them unchanged.
 *
 * @throws OrtooError `BadRequest` for a URL of another shape, `InvalidIdentifier`
 *   for a malformed identifier, `NotFound` outside `/r1/`.
 */
export function parseProxyRoute(url: string): ProxyRoute {
  if (url.length > MAX_URL_LENGTH) {
    throw new OrtooError('BadRequest', `The URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  const mark = url.indexOf('?');
  const rawPath = mark < 0 ? url : url.slice(0, mark);
  const query = mark < 0 ? '' : url.slice(mark + 1);
  if (rawPath === '/listClients') return { kind: 'listClients', instance: instanceOf(query) };
  if (!rawPath.startsWith('/r1/')) throw new OrtooError('NotFound', `No route ${rawPath.slice(0, 100)}`);

  const segments = rawPath.slice('/r1/'.length).split('/');
  const [first = '', second = ''] = segments;
  if (segments.length === 2 && first === 'messages') return { kind: 'message', id: decodePart(second) };
  if (segments.length === 2 && second === 'listClients') {
    const instance = decodePart(first);
    if (!isValidPart(instance)) {
      throw new OrtooError('InvalidIdentifier', 'Invalid instance identifier', {
        detail: { kind: 'instance', expected: 'INSTANCE' },
      });
    }
    return { kind: 'listClients', instance };
  }
  if (segments.length < 5) {
    throw new OrtooError('BadRequest', `Expected ${SERVICE_SHAPE}`, { detail: { expected: SERVICE_SHAPE } });
  }
  const parts = segments.slice(0, 5).map(decodePart);
  const code = parts[4] ?? '';
  if (segments.length === 5 && METASERVICES.has(code)) {
    const provider = formatSubsystemId(parseSubsystemId(parts.slice(0, 4).join('/')));
    return { kind: code as 'listMethods' | 'allowedMethods' | 'getOpenAPI', provider, query };
  }
  const service = formatServiceId(parseServiceId(parts.join('/')));
  const below = segments.slice(5);
  checkPath(below);
  return { kind: 'service', service, path: below.length === 0 ? '' : `/${below.join('/')}`, query };
}
