import { canonicalJson, sha256, type GlobalConfFetcher } from '../../../core/src';
import { ServiceSchemas } from '../../../security-server/src/client-proxy/service-schemas';
import type { SecurityServerDeps } from '../../../security-server/src/deps';

const SCHEMA = {
  type: 'object',
  properties: { registerNumber: { type: 'string', pattern: '^[А-ЯЁӨҮ]{2}[0-9]{8}$' } },
};
const HASH = sha256(canonicalJson(SCHEMA));

const deps = {
  config: { gateway: { url: 'http://gateway.test:4400/admin', exchangeUrl: 'https://gateway.test:4443' } },
  identity: { caPem: [] },
} as unknown as Pick<SecurityServerDeps, 'config' | 'identity'>;

/** A gateway that answers every fetch with `status` and `text`, counting the fetches. */
function gatewayAnswering(status: number, text: string) {
  const urls: string[] = [];
  const fetch: GlobalConfFetcher = async (url) => {
    urls.push(url);
    return { status, headers: { get: () => null }, text: async () => text };
  };
  return { urls, fetch };
}

describe('ServiceSchemas', () => {
  it('fetches a schema by its hash once, and checks it against the hash', async () => {
    const gateway = gatewayAnswering(200, JSON.stringify(SCHEMA));
    const schemas = new ServiceSchemas(deps, { fetch: gateway.fetch });
    const [first, second] = await Promise.all([schemas.get(HASH), schemas.get(HASH)]);
    expect(first).toEqual(SCHEMA);
    expect(second).toBe(first);
    await schemas.get(HASH);
    expect(gateway.urls).toEqual([`http://gateway.test:4400/admin/v1/service-schemas/${HASH}`]);
  });

  it('refuses a schema that does not match its hash', async () => {
    const gateway = gatewayAnswering(200, JSON.stringify({ ...SCHEMA, additionalProperties: true }));
    await expect(new ServiceSchemas(deps, { fetch: gateway.fetch }).get(HASH)).rejects.toMatchObject({
      code: 'InvalidAnswer',
      detail: { hash: HASH },
    });
  });

  it.each([
    [404, '{"type":"Client.NotFound","message":"gone"}', 'UnknownService'],
    [503, 'Service Unavailable', 'GatewayUnavailable'],
    [200, 'not json', 'InvalidAnswer'],
  ])('turns a %i answer into %s, and tries again next time', async (status, text, code) => {
    const gateway = gatewayAnswering(status, text);
    const schemas = new ServiceSchemas(deps, { fetch: gateway.fetch });
    await expect(schemas.get(HASH)).rejects.toMatchObject({ code });
    await expect(schemas.get(HASH)).rejects.toMatchObject({ code });
    expect(gateway.urls).toHaveLength(2);
  });

  it('answers GatewayUnavailable when the gateway cannot be reached', async () => {
    const fetch: GlobalConfFetcher = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    await expect(new ServiceSchemas(deps, { fetch }).get(HASH)).rejects.toMatchObject({
      code: 'GatewayUnavailable',
      detail: { reason: 'ECONNREFUSED' },
    });
  });

  it('keeps at most maxEntries schemas', async () => {
    const other = { type: 'string' };
    const bodies = new Map([
      [HASH, SCHEMA],
      [sha256(canonicalJson(other)), other],
    ]);
    let fetches = 0;
    const fetch: GlobalConfFetcher = async (url) => {
      fetches += 1;
      const body = bodies.get(url.slice(url.lastIndexOf('/') + 1));
      return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify(body) };
    };
    const schemas = new ServiceSchemas(deps, { fetch, maxEntries: 1 });
    await schemas.get(HASH);
    await schemas.get(sha256(canonicalJson(other)));
    await schemas.get(HASH);
    expect(fetches).toBe(3);
  });
});
