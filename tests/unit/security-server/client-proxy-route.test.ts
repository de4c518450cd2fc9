import { parseProxyRoute } from '../../../security-server/src/client-proxy/proxy-route';
import { ortooErrorOf } from '../../helpers/exchange-fixtures';

const SERVICE = 'MN/GOV/9011311/civil-registry/person';

describe('parseProxyRoute', () => {
  describe('a service call', () => {
    it('names the service, with no path or query', () => {
      expect(parseProxyRoute(`/r1/${SERVICE}`)).toEqual({
        kind: 'service',
        service: SERVICE,
        path: '',
        query: '',
      });
    });

    it('keeps the path below the service and the query exactly as sent', () => {
      expect(parseProxyRoute(`/r1/${SERVICE}/v1/%D0%B8%D1%80%D0%B3%D1%8D%D0%BD/42?b=2&a=%D0%B0&a=1`)).toEqual(
        {
          kind: 'service',
          service: SERVICE,
          path: '/v1/%D0%B8%D1%80%D0%B3%D1%8D%D0%BD/42',
          query: 'b=2&a=%D0%B0&a=1',
        },
      );
      expect(parseProxyRoute(`/r1/${SERVICE}/`)).toMatchObject({ path: '/' });
    });

    it('percent-decodes the identifier parts, as X-Road encodes them', () => {
      expect(parseProxyRoute('/r1/MN/GOV/9011311/civil-registry/%70erson')).toMatchObject({
        service: SERVICE,
      });
    });

    it('treats a metaservice name followed by a path as an ordinary service', () => {
      expect(parseProxyRoute('/r1/MN/GOV/9011311/civil-registry/listMethods/x')).toMatchObject({
        kind: 'service',
        service: 'MN/GOV/9011311/civil-registry/listMethods',
        path: '/x',
      });
    });
  });

  describe('the metaservices and the messages', () => {
    it.each(['listMethods', 'allowedMethods', 'getOpenAPI'] as const)(
      'reads %s of a provider subsystem',
      (kind) => {
        expect(parseProxyRoute(`/r1/MN/GOV/9011311/civil-registry/${kind}?serviceCode=person`)).toEqual({
          kind,
          provider: 'MN/GOV/9011311/civil-registry',
          query: 'serviceCode=person',
        });
      },
    );

    it('reads listClients of an instance, or of this server’s own at /listClients', () => {
      expect(parseProxyRoute('/r1/MN/listClients')).toEqual({ kind: 'listClients', instance: 'MN' });
      expect(parseProxyRoute('/listClients')).toEqual({ kind: 'listClients', instance: undefined });
    });

    it('reads a message id', () => {
      expect(parseProxyRoute('/r1/messages/abc-123')).toEqual({ kind: 'message', id: 'abc-123' });
    });
  });

  describe('a URL it refuses', () => {
    it.each([
      ['too few parts', '/r1/MN/GOV/9011311', 'BadRequest'],
      ['an empty part', '/r1/MN//9011311/civil-registry/person', 'InvalidIdentifier'],
      ['a part with a space', '/r1/MN/GOV/9011311/civil%20registry/person', 'InvalidIdentifier'],
      ['an encoded slash in a part', '/r1/MN/GOV/9011311/civil-registry/per%2Fson', 'InvalidIdentifier'],
      ['broken percent-encoding', '/r1/MN/GOV/9011311/civil-registry/%E0%A4%A', 'BadRequest'],
      ['a dot-dot segment below the service', `/r1/${SERVICE}/a/../../admin`, 'BadRequest'],
      ['an encoded dot-dot segment', `/r1/${SERVICE}/%2e%2E/admin`, 'BadRequest'],
      ['a dot segment', `/r1/${SERVICE}/./x`, 'BadRequest'],
      ['a bad instance for listClients', '/r1/M%20N/listClients', 'InvalidIdentifier'],
      ['a very long URL', `/r1/${SERVICE}/${'x'.repeat(9000)}`, 'BadRequest'],
      ['another protocol version', `/r2/${SERVICE}`, 'NotFound'],
    ])('refuses %s', (_what, url, code) => {
      expect(ortooErrorOf(() => parseProxyRoute(url)).code).toBe(code);
    });
  });
});
