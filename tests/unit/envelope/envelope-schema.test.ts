import path from 'node:path';
import { buildRequest, buildResponse, createJwsSigner, signMessage } from '../../../core/src/envelope';
import { SchemaRegistry, loadSchemaFile } from '../../../core/src/schemas';
import { generateKeyPairSync } from 'node:crypto';

const SCHEMA_FILE = path.join(__dirname, '../../../schemas/envelope.schema.json');

describe('the envelope JSON Schema', () => {
  const registry = new SchemaRegistry();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = createJwsSigner({ privateKey, thumbprint: 'A'.repeat(43) });
  const request = signMessage(
    buildRequest({
      client: 'MN/GOV/7000001/e-services',
      service: 'MN/GOV/9011311/civil-registry/person',
      method: 'GET',
      path: '/persons/УБ99010112',
      query: 'fields=name',
      headers: { accept: 'application/json' },
      userId: 'Бат-Эрдэнэ',
      issue: 'case 2026/114',
    }),
    signer,
  );

  beforeAll(async () => {
    registry.register('envelope', '1', await loadSchemaFile(SCHEMA_FILE));
  });

  const errorsOf = (message: unknown) => {
    const result = registry.validate('envelope', '1', message);
    return result.valid ? [] : result.errors.map((error) => error.pointer);
  };

  it('accepts what the builders and the signer make, requests and answers', () => {
    expect(errorsOf(request)).toEqual([]);
    const answer = signMessage(
      buildResponse(request.envelope as Parameters<typeof buildResponse>[0], {
        status: 200,
        body: { contentType: 'application/json; charset=utf-8', json: { name: 'Бат-Эрдэнэ' } },
      }),
      signer,
    );
    expect(errorsOf(answer)).toEqual([]);
  });

  it.each([
    ['/persons/../admin', 'a .. segment'],
    ['/persons/%2e%2E/admin', 'a percent-encoded .. segment'],
    ['/persons/./x', 'a . segment'],
    ['persons', 'no leading slash'],
    ['/persons?x=1', 'a query in the path'],
  ])('refuses the path %j (%s)', (pathValue) => {
    const forged = { ...request, envelope: { ...request.envelope, path: pathValue } };
    expect(errorsOf(forged).length).toBeGreaterThan(0);
  });

  it('refuses unknown envelope fields and unknown message members', () => {
    expect(errorsOf({ ...request, envelope: { ...request.envelope, admin: true } })).not.toEqual([]);
    expect(errorsOf({ ...request, extra: 1 })).not.toEqual([]);
  });

  it('refuses header names that are not lower-case tokens and values with line breaks', () => {
    for (const headers of [{ Accept: 'x' }, { 'x-a': 'one\r\nx-b: two' }]) {
      expect(errorsOf({ ...request, envelope: { ...request.envelope, headers } })).not.toEqual([]);
    }
  });

  it('refuses malformed identifiers, times and digests', () => {
    for (const change of [
      { client: 'MN/GOV/7000001' },
      { service: 'MN/GOV/9011311/civil registry/person' },
      { issuedAt: '2026-03-01T08:30:00+08:00' },
      { bodyDigest: 'x', contentType: 'application/json' },
      { id: 'has spaces in it' },
      { v: 2 },
    ]) {
      expect(errorsOf({ ...request, envelope: { ...request.envelope, ...change } })).not.toEqual([]);
    }
  });

  it('requires a body digest and a content type to come together', () => {
    const digestOnly = { ...request.envelope, bodyDigest: 'A'.repeat(43) };
    expect(errorsOf({ ...request, envelope: digestOnly })).toContain('/envelope/contentType');
  });
});
