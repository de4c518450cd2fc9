import { acceptsJson } from '../../../security-server/src/client-proxy/metaservice-call';
import {
  allowedMethods,
  clientListXml,
  listClients,
  listMethods,
} from '../../../security-server/src/client-proxy/metaservices';
import { openApiOf, registeredOpenApi } from '../../../security-server/src/client-proxy/openapi-from-schemas';
import {
  EXCHANGE_IDS as ids,
  createExchangeFixture,
  ortooErrorOf,
  serviceVersion,
} from '../../helpers/exchange-fixtures';

describe('the metaservices', () => {
  const { index, conf } = createExchangeFixture();

  describe('listClients', () => {
    it('lists every active member and its subsystems as X-Road does', () => {
      const { member } = listClients(conf);
      expect(member).toContainEqual({
        id: { object_type: 'MEMBER', xroad_instance: 'MN', member_class: 'GOV', member_code: '7000001' },
        name: 'Цахим үйлчилгээний төв',
      });
      expect(member).toContainEqual({
        id: {
          object_type: 'SUBSYSTEM',
          xroad_instance: 'MN',
          member_class: 'GOV',
          member_code: '9011311',
          subsystem_code: 'civil-registry',
        },
        name: 'Улсын бүртгэлийн ерөнхий газар',
      });
      // 3 active members and their 4 subsystems; the revoked member is left out.
      expect(member).toHaveLength(7);
      expect(member.some((entry) => entry.id.member_code === '9999999')).toBe(false);
    });

    it('writes the list as PR-META’s clientList XML, text escaped', () => {
      const xml = clientListXml({
        member: [
          {
            id: {
              object_type: 'SUBSYSTEM',
              xroad_instance: 'MN',
              member_class: 'GOV',
              member_code: '1',
              subsystem_code: 'a',
            },
            name: 'A & <B>',
          },
        ],
      });
      expect(xml).toBe(
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
          '<xrd:clientList xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers">' +
          '<xrd:member><xrd:id id:objectType="SUBSYSTEM"><id:xRoadInstance>MN</id:xRoadInstance>' +
          '<id:memberClass>GOV</id:memberClass><id:memberCode>1</id:memberCode><id:subsystemCode>a</id:subsystemCode>' +
          '</xrd:id><xrd:name>A &amp; &lt;B&gt;</xrd:name></xrd:member></xrd:clientList>',
      );
    });

    it.each([
      ['application/json', true],
      ['text/xml, application/json;q=0.5', true],
      ['application/json;q=0', false],
      ['*/*', false],
      [undefined, false],
    ])('answers JSON for Accept %s: %s', (accept, json) => {
      expect(acceptsJson(accept)).toBe(json);
    });

    it('lists nothing of another instance', () => {
      expect(listClients(conf, 'EE')).toEqual({ member: [] });
    });
  });

  describe('listMethods', () => {
    it('lists each enabled version of the provider’s services', () => {
      const { service } = listMethods(index, ids.provider);
      expect(service.map((entry) => `${entry.service_code} ${entry.service_version}`).sort()).toEqual([
        'person v1',
        'person v10',
        'person v2',
        'vehicle v1',
      ]);
      expect(service[0]).toEqual({
        object_type: 'SERVICE',
        xroad_instance: 'MN',
        member_class: 'GOV',
        member_code: '9011311',
        subsystem_code: 'civil-registry',
        service_code: 'person',
        service_version: 'v2',
        service_type: 'OPENAPI',
        // A single-schema service takes every method on every path below it.
        endpoint_list: [{ method: '*', path: '**' }],
      });
    });

    it("lists the endpoints of a service's OpenAPI document, templated segments as *", () => {
      const fixture = createExchangeFixture({
        services: [
          serviceVersion(`${ids.provider}/persons`, 'v1', {
            openapiHash: 'C'.repeat(43),
            endpoints: [
              { method: 'GET', path: '/persons/{registerNumber}' },
              { method: 'GET', path: '/persons/{registerNumber}/addresses' },
              { method: 'POST', path: '/certificates' },
            ],
          }),
        ],
      });
      const [entry] = listMethods(fixture.index, ids.provider).service;
      expect(entry?.endpoint_list).toEqual([
        { method: 'GET', path: '/persons/*' },
        { method: 'GET', path: '/persons/*/addresses' },
        { method: 'POST', path: '/certificates' },
      ]);
      expect(allowedMethods(fixture.index, ids.provider, ids.consumer).service).toEqual([]);
    });

    it('refuses a subsystem the configuration does not list', () => {
      expect(ortooErrorOf(() => listMethods(index, 'MN/GOV/9011311/nowhere'))).toMatchObject({
        code: 'NotFound',
        status: 404,
      });
    });
  });

  describe('allowedMethods', () => {
    it('lists only what the client may call, its groups’ rights included', () => {
      const codes = (client: string) =>
        allowedMethods(index, ids.provider, client).service.map((entry) => entry.service_code);
      expect(new Set(codes(ids.consumer))).toEqual(new Set(['person', 'vehicle']));
      expect(new Set(codes(ids.clinic))).toEqual(new Set(['person']));
      expect(codes(ids.consumerWithoutRights)).toEqual([]);
    });

    it('lists a service the client may call only some endpoints of', () => {
      const own = createExchangeFixture({
        accessRights: [
          { serviceId: ids.person, clientId: ids.consumer, endpoint: { method: 'GET', path: '/persons/*' } },
        ],
      });
      expect(
        allowedMethods(own.index, ids.provider, ids.consumer).service.map((entry) => entry.service_code),
      ).toEqual(['person', 'person', 'person']);
      expect(own.index.allowedEndpoints(ids.consumer, ids.person)).toEqual([
        { method: 'GET', path: '/persons/*' },
      ]);
    });
  });
});

describe('openApiOf', () => {
  const requestSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: ['registerNumber'],
    properties: { registerNumber: { $ref: '#/$defs/registerNumber' } },
    $defs: { registerNumber: { type: 'string', pattern: '^[А-ЯЁӨҮ]{2}[0-9]{8}$' } },
  };
  const responseSchema = { $id: 'https://example.mn/person.json', type: 'object' };
  const service = serviceVersion(ids.person, 'v2', { title: 'Иргэний мэдээлэл' });
  const document = openApiOf({ service, requestSchema, responseSchema }) as {
    openapi: string;
    info: { title: string; version: string };
    servers: { url: string }[];
    paths: Record<
      string,
      { post: { parameters: { name: string; required: boolean }[]; requestBody: unknown } }
    >;
    components: { schemas: Record<string, Record<string, unknown>> };
  };

  it('is OpenAPI 3.1 of the call through the client proxy', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Иргэний мэдээлэл', version: 'v2' });
    expect(document.servers).toEqual([{ url: `/r1/${ids.provider}` }]);
    const operation = document.paths['/person']?.post;
    expect(operation?.parameters.find((parameter) => parameter.name === 'X-Road-Client')?.required).toBe(
      true,
    );
    expect(operation?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Request' } } },
    });
  });

  it('embeds the service’s schemas, each under an $id so its own references still resolve', () => {
    expect(document.components.schemas.Request).toEqual({
      $id: `urn:ortoo:service-schema:${service.requestSchemaHash}`,
      ...requestSchema,
    });
    expect(document.components.schemas.Response).toEqual(responseSchema);
  });
});

describe('registeredOpenApi', () => {
  it("answers the published document with its servers replaced by the client proxy's URL of the service", () => {
    const service = serviceVersion(`${ids.provider}/persons`, 'v1', { openapiHash: 'C'.repeat(43) });
    const published = {
      openapi: '3.0.3',
      info: { title: 'Persons', version: 'v1' },
      servers: [{ url: 'http://civil-registry.internal' }],
      paths: { '/persons/{registerNumber}': { get: { responses: { '200': { description: 'ok' } } } } },
    };
    const answered = registeredOpenApi(published, service);
    expect(answered).toEqual({
      ...published,
      servers: [{ url: `/r1/${ids.provider}/persons`, description: expect.any(String) }],
    });
    expect(published.servers).toEqual([{ url: 'http://civil-registry.internal' }]);
  });
});
