import { mayCallAgain } from '../../../security-server/src/provider-proxy/provider-delivery';

describe('a call begun before with no known end is made again', () => {
  it.each(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'get'])('for an idempotent method, %s', (method) => {
    expect(mayCallAgain(method, {})).toBe(true);
  });

  it.each(['POST', 'PATCH'])('never for %s, unless the service is registered idempotent', (method) => {
    expect(mayCallAgain(method, {})).toBe(false);
    expect(mayCallAgain(method, { idempotent: true })).toBe(true);
  });
});
