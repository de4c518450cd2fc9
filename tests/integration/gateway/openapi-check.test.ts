import { canonicalJson, parseOpenApiText, sha256 } from '../../../core/src';
import { checkOpenApiDocument } from '../../../gateway/src/registry/openapi-check';
import { RECORDS_OPENAPI_YAML } from '../../helpers/openapi-fixtures';

const TEXT = RECORDS_OPENAPI_YAML;

describe('checking an OpenAPI document in a worker thread', () => {
  it('answers the document as JSON, its hash and its endpoints', async () => {
    const checked = await checkOpenApiDocument(TEXT);
    expect(checked.document).toEqual(parseOpenApiText(TEXT));
    expect(checked.hash).toBe(sha256(canonicalJson(checked.document)));
    expect(checked.endpoints.map(({ method, path: p }) => `${method} ${p}`)).toEqual([
      'GET /persons/{registerNumber}',
      'GET /persons/{registerNumber}/addresses',
      'POST /certificates',
    ]);
  });

  it('refuses a document that takes longer than its time bound, and stops the worker', async () => {
    await expect(checkOpenApiDocument(TEXT, { timeoutMs: 1 })).rejects.toMatchObject({
      code: 'InvalidOpenApi',
      detail: { reason: 'compile time' },
    });
  });

  it('passes on the typed error of a bad document', async () => {
    await expect(checkOpenApiDocument({ openapi: '3.1.0', info: {}, paths: {} })).rejects.toMatchObject({
      code: 'InvalidOpenApi',
      detail: { pointer: '/info' },
    });
  });
});
