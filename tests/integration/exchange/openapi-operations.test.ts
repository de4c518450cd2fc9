import {
  ERROR_KINDS,
  canonicalJson,
  endpointsOf,
  parseOpenApiText,
  readServiceApi,
  sha256,
  type ErrorCode,
  type RequestParams,
} from '../../../core/src';
import { searchAuditRecords, toAuditRecord } from '../../../gateway/src/audit/audit-repository';
import { eventually } from '../../helpers/eventually';
import { RECORDS_OPENAPI_YAML } from '../../helpers/openapi-fixtures';
import type { ProviderReply } from '../../helpers/provider-endpoint';
import {
  startExchangeNetwork,
  type ExchangeAnswer,
  type ExchangeNetwork,
} from '../../helpers/exchange-network';

const DOCUMENT = parseOpenApiText(RECORDS_OPENAPI_YAML);
const KNOWN = 'УБ99010112';
/** A number the backend answers wrongly for: its record breaks the document's Person schema. */
const BROKEN = 'УБ99010113';
const EMPTY = {};

const PERSON = {
  registerNumber: KNOWN,
  lastName: 'Батболд',
  firstName: 'Тэмүүлэн',
  birthDate: '1999-01-01',
  gender: 'male',
  address: { aimag: 'Улаанбаатар хот', district: 'Сүхбаатар дүүрэг', khoroo: '1-р хороо' },
};

function expectRefusal(answer: ExchangeAnswer, code: ErrorCode): void {
  const { status, type } = ERROR_KINDS[code];
  expect({ status: answer.status, type: answer.headers['x-road-error'] }).toEqual({ status, type });
}

describe('a service described by OpenAPI, checked per operation at the gateway', () => {
  let network: ExchangeNetwork;

  beforeAll(async () => {
    network = await startExchangeNetwork({
      service: {
        requestSchema: EMPTY,
        responseSchema: EMPTY,
        requestSchemaHash: sha256(canonicalJson(EMPTY)),
        responseSchemaHash: sha256(canonicalJson(EMPTY)),
        openapi: DOCUMENT,
        openapiHash: sha256(canonicalJson(DOCUMENT)),
        endpoints: endpointsOf(readServiceApi(DOCUMENT)),
        dataSubjectPointer: 'path:registerNumber',
      },
    });
    network.provider.respond(({ envelope }): ProviderReply => {
      const number = decodeURIComponent(envelope.path.split('/')[2] ?? '');
      if (envelope.method === 'POST') {
        return {
          status: 201,
          body: {
            contentType: 'application/json',
            json: {
              certificateNumber: '00AB00CD00EF',
              registerNumber: KNOWN,
              kind: 'birth',
              issuedOn: '2026-12-07',
            },
          },
        };
      }
      if (envelope.path.endsWith('/addresses')) {
        return {
          status: 200,
          body: {
            contentType: 'application/json',
            json: {
              registerNumber: number,
              addresses: [{ address: PERSON.address, from: '1999-01-01', to: null }],
            },
          },
        };
      }
      if (number === BROKEN)
        return { status: 200, body: { contentType: 'application/json', json: { registerNumber: number } } };
      if (number !== KNOWN) {
        return {
          status: 404,
          body: { contentType: 'application/problem+json', json: { title: 'Not Found', status: 404 } },
        };
      }
      return { status: 200, body: { contentType: 'application/json', json: PERSON } };
    });
  });
  afterAll(() => network.close());

  const call = (params: Partial<RequestParams>) =>
    network.post(network.sign({ method: 'GET', body: undefined, ...params }));
  const person = (number: string) => `/persons/${encodeURIComponent(number)}`;

  it('passes a GET whose path parameter and answer match, and tracks its data subject from the path', async () => {
    const message = network.sign({ method: 'GET', body: undefined, path: person(KNOWN) });
    const answer = await network.post(message);
    expect((answer.body as { envelope: { status: number } }).envelope.status).toBe(200);
    const records = await eventually('the accepted record', async () => {
      const rows = await searchAuditRecords(
        network.gateway.store,
        { messageId: message.envelope.id },
        { limit: 5 },
      );
      return rows.length > 0 ? rows.map(toAuditRecord) : undefined;
    });
    expect(records[0]).toMatchObject({
      event: 'accepted',
      subjectHash: network.gateway.deps.audit.subjectHash(KNOWN),
    });
  });

  it('passes a query parameter of its format, and an error answer the document declares', async () => {
    const status = (answer: ExchangeAnswer) =>
      (answer.body as { envelope: { status: number } }).envelope.status;
    expect(status(await call({ path: `${person(KNOWN)}/addresses`, query: 'from=2000-01-01' }))).toBe(200);
    expect(status(await call({ path: person('ЖЧ88123145') }))).toBe(404);
  });

  it('refuses a path parameter, a query parameter or a body that breaks its schema', async () => {
    expectRefusal(await call({ path: person('UB99010112') }), 'SchemaViolation');
    expectRefusal(
      await call({ path: `${person(KNOWN)}/addresses`, query: 'from=yesterday' }),
      'SchemaViolation',
    );
    const bad = await call({
      method: 'POST',
      path: '/certificates',
      body: { contentType: 'application/json', json: { registerNumber: KNOWN, kind: 'marriage' } },
    });
    expectRefusal(bad, 'SchemaViolation');
    expect(JSON.stringify(bad.body)).toContain('/kind');
  });

  it('passes a POST whose body and 201 answer match', async () => {
    const answer = await call({
      method: 'POST',
      path: '/certificates',
      body: { contentType: 'application/json', json: { registerNumber: KNOWN, kind: 'birth' } },
    });
    expect(answer.status).toBe(200);
    expect((answer.body as { envelope: { status: number } }).envelope.status).toBe(201);
  });

  it('answers 404 for a path of no operation and 405 for another method', async () => {
    expectRefusal(await call({ path: '/people' }), 'UnknownOperation');
    const wrong = await call({ method: 'DELETE', path: person(KNOWN) });
    expectRefusal(wrong, 'OperationMethodNotAllowed');
    expect((wrong.body as { detail: { allowed: string[] } }).detail.allowed).toEqual(['GET']);
  });

  it('refuses a body of a media type the operation does not declare (415)', async () => {
    const answer = await call({
      method: 'POST',
      path: '/certificates',
      body: { contentType: 'text/plain', bytes: Buffer.from('birth please') },
    });
    expectRefusal(answer, 'UnsupportedMediaType');
  });

  it("refuses the provider's answer that breaks the schema of its status", async () => {
    const answer = await call({ path: person(BROKEN) });
    // A sync call whose only attempt failed for good: the failure is the answer's schema.
    expect(answer.status).toBe(502);
    expect(JSON.stringify(answer.body)).toContain(ERROR_KINDS.InvalidAnswer.type);
  });
});
