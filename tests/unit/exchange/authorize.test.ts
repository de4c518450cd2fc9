import { buildRequest, type RequestEnvelope, type RequestParams } from '../../../core/src/envelope';
import { authorize, resolveService } from '../../../core/src/exchange';
import {
  EXCHANGE_IDS as ids,
  EXCHANGE_NOW,
  createExchangeFixture,
  ortooErrorOf,
} from '../../helpers/exchange-fixtures';

/** The envelope of a consumer's GET; both checks read only the envelope, so nothing is signed. */
function envelope(params: Partial<RequestParams> = {}): RequestEnvelope {
  return buildRequest(
    { client: ids.consumer, service: ids.person, method: 'GET', ...params },
    { now: EXCHANGE_NOW },
  ).envelope;
}

describe('resolveService', () => {
  const { index } = createExchangeFixture();

  it('calls the current version when the request names none: the highest, v10 before v2', () => {
    expect(resolveService(index, envelope())).toMatchObject({
      id: ids.person,
      version: 'v10',
      enabled: true,
    });
  });

  it('calls the version the request names', () => {
    for (const version of ['v1', 'v2', 'v10']) {
      expect(resolveService(index, envelope({ serviceVersion: version })).version).toBe(version);
    }
  });

  it('gives the configuration’s own entry, with the service’s timeout, retries and schemas', () => {
    expect(resolveService(index, envelope({ serviceVersion: 'v2' }))).toBe(index.service(ids.person, 'v2'));
  });

  it('refuses a service that does not exist', () => {
    const error = ortooErrorOf(() => resolveService(index, envelope({ service: ids.unknownService })));
    expect(error).toMatchObject({
      code: 'UnknownService',
      status: 404,
      message: `No service ${ids.unknownService}`,
      detail: { service: ids.unknownService },
    });
    expect(error.detail).not.toHaveProperty('version');
  });

  it('refuses a version that does not exist, naming it', () => {
    const error = ortooErrorOf(() => resolveService(index, envelope({ serviceVersion: 'v3' })));
    expect(error).toMatchObject({
      code: 'UnknownService',
      message: `No service ${ids.person} version v3`,
      detail: { service: ids.person, version: 'v3' },
    });
    expect(
      ortooErrorOf(() =>
        resolveService(index, envelope({ service: ids.unknownService, serviceVersion: 'v1' })),
      ).code,
    ).toBe('UnknownService');
  });

  it('refuses a disabled service', () => {
    const error = ortooErrorOf(() => resolveService(index, envelope({ service: ids.address })));
    expect(error).toMatchObject({
      code: 'ServiceDisabled',
      type: 'Client.ServiceDisabled',
      detail: { service: ids.address, version: 'v1' },
    });
  });

  it('refuses the current version when it is disabled, but still serves an earlier one asked for by name', () => {
    expect(ortooErrorOf(() => resolveService(index, envelope({ service: ids.vehicle }))).detail).toEqual({
      service: ids.vehicle,
      version: 'v2',
    });
    expect(resolveService(index, envelope({ service: ids.vehicle, serviceVersion: 'v1' })).version).toBe(
      'v1',
    );
  });
});

describe('authorize', () => {
  const { index } = createExchangeFixture();

  it('lets a client with its own right call the service', () => {
    expect(() => authorize(index, envelope())).not.toThrow();
  });

  it('lets a client in a global group with the right call the service', () => {
    expect(() => authorize(index, envelope({ client: ids.clinic }))).not.toThrow();
  });

  it('grants every version of a service with one right', () => {
    for (const serviceVersion of ['v1', 'v2', 'v10']) {
      expect(() => authorize(index, envelope({ client: ids.clinic, serviceVersion }))).not.toThrow();
    }
  });

  it('denies a client without a right, naming client and service', () => {
    const error = ortooErrorOf(() => authorize(index, envelope({ client: ids.consumerWithoutRights })));
    expect(error).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: `${ids.consumerWithoutRights} may not call ${ids.person}`,
      detail: { client: ids.consumerWithoutRights, service: ids.person },
    });
  });

  it('denies a group member a service only others were given', () => {
    expect(
      ortooErrorOf(() => authorize(index, envelope({ client: ids.clinic, service: ids.vehicle }))).code,
    ).toBe('AccessDenied');
  });

  it('denies every caller of a service nobody may call', () => {
    expect(ortooErrorOf(() => authorize(index, envelope({ service: ids.unknownService }))).code).toBe(
      'AccessDenied',
    );
  });

  it('decides by the right alone: whether the service is enabled is resolveService’s question', () => {
    expect(() => authorize(index, envelope({ service: ids.address }))).not.toThrow();
  });
});

describe('authorize, with rights per endpoint', () => {
  const { index } = createExchangeFixture({
    accessRights: [
      { serviceId: ids.person, clientId: ids.consumer, endpoint: { method: 'GET', path: '/persons/*' } },
      { serviceId: ids.person, groupId: ids.healthGroup, endpoint: { method: '*', path: '/persons/**' } },
      { serviceId: ids.person, clientId: ids.consumerWithoutRights },
    ],
  });

  it('lets a call the endpoint covers through, of its own right or its group’s', () => {
    expect(() => authorize(index, envelope({ path: '/persons/ABC123' }))).not.toThrow();
    expect(() =>
      authorize(index, envelope({ client: ids.clinic, method: 'DELETE', path: '/persons/1/addresses' })),
    ).not.toThrow();
  });

  it('denies another method or path with the typed error, naming the endpoint', () => {
    const error = ortooErrorOf(() => authorize(index, envelope({ method: 'POST', path: '/persons' })));
    expect(error).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: `${ids.consumer} may not call POST /persons of ${ids.person}`,
      detail: { client: ids.consumer, service: ids.person, endpoint: 'POST /persons' },
    });
    expect(ortooErrorOf(() => authorize(index, envelope({ path: '/persons/1/addresses' }))).code).toBe(
      'AccessDenied',
    );
  });

  it('denies a traversal or an encoded separator, saying why', () => {
    for (const [path, reason] of [
      ['/persons/x/../../admin', 'dot-segment'],
      ['/persons%2f..%2fadmin', 'encoded-separator'],
      ['/persons/%2e%2e/admin', 'dot-segment'],
      ['/persons/%252e%252e', 'encoded-percent'],
    ] as const) {
      expect(ortooErrorOf(() => authorize(index, envelope({ path }))).detail).toMatchObject({ reason });
      expect(ortooErrorOf(() => authorize(index, envelope({ client: ids.clinic, path }))).code).toBe(
        'AccessDenied',
      );
    }
  });

  it('lets a right to the whole service cover every endpoint, as before', () => {
    expect(() =>
      authorize(index, envelope({ client: ids.consumerWithoutRights, method: 'POST', path: '/anything' })),
    ).not.toThrow();
  });

  it('lists what a client may call, the whole service as X-Road’s base endpoint * **', () => {
    expect(index.allowedEndpoints(ids.consumer, ids.person)).toEqual([{ method: 'GET', path: '/persons/*' }]);
    expect(index.allowedEndpoints(ids.consumerWithoutRights, ids.person)).toEqual([
      { method: '*', path: '**' },
    ]);
    expect(index.allowedEndpoints(ids.clinic, ids.vehicle)).toEqual([]);
    expect(index.mayCall(ids.consumer, ids.person)).toBe(true);
    expect(index.mayCall(ids.consumer, ids.vehicle)).toBe(false);
  });
});
