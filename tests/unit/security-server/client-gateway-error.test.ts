import { gatewayError } from '../../../security-server/src/gateway-client';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('gatewayError', () => {
  it('passes the gateway’s own error on with its type, message and detail', () => {
    const error = gatewayError(
      403,
      body({ type: 'Client.AccessDenied', message: 'no right', detail: { client: 'MN/GOV/1/a' } }),
    );
    expect(error).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      type: 'Client.AccessDenied',
      message: 'no right',
      detail: { client: 'MN/GOV/1/a' },
    });
  });

  it('tells the gateway’s sync timeout from this server’s own', () => {
    const error = gatewayError(504, body({ type: 'Server.ServerProxy.Timeout', message: 'late' }));
    expect(error).toMatchObject({ code: 'ExchangeTimeout', type: 'Server.ServerProxy.Timeout', status: 504 });
  });

  it('refuses a type outside the closed set as InvalidAnswer', () => {
    const error = gatewayError(500, body({ type: 'Server.Something.Else', message: 'x' }));
    expect(error).toMatchObject({
      code: 'InvalidAnswer',
      status: 502,
      detail: { status: 500, type: 'Server.Something.Else' },
    });
  });

  it.each([
    [502, 'GatewayUnavailable'],
    [503, 'GatewayUnavailable'],
    [504, 'GatewayUnavailable'],
    [500, 'InvalidAnswer'],
    [404, 'InvalidAnswer'],
  ])('judges a %i without an Örtöö error body as %s', (status, code) => {
    expect(gatewayError(status, Buffer.from('<html>Bad gateway</html>')).code).toBe(code);
  });
});
