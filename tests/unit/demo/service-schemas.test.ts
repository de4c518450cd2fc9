import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SchemaRegistry } from '../../../core/src/schemas';
import {
  CITIZENS,
  CONTRIBUTIONS_SERVICE,
  DEMO_REGISTER_NUMBERS,
  PERSON_SERVICE,
  REPO_ROOT,
  SERVICES as ALL_SERVICES,
  TAXPAYER_STATUS_SERVICE,
  repoPath,
  schemaFilesOf,
  type DemoService,
} from '../../../scripts/demo/demo-data';
import {
  EMPLOYMENT,
  TAXPAYERS,
  contributionHistory,
  findPerson,
  findTaxpayerStatus,
} from '../../../scripts/demo/backends';

type Kind = 'request' | 'response';

/** The single-schema services: the civil registry's REST API is described by OpenAPI instead (see tests/unit/openapi). */
const SERVICES = ALL_SERVICES.filter((service) => service.description.kind === 'schemas');

function readSchema(service: DemoService, kind: Kind): Record<string, unknown> {
  const files = schemaFilesOf(service);
  const file = kind === 'request' ? files.requestSchema : files.responseSchema;
  return JSON.parse(readFileSync(repoPath(file), 'utf8')) as Record<string, unknown>;
}

/** Every `$ref` in a schema, wherever it is. */
function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsOf(inner),
  );
}

/** Every service schema, compiled as the gateway compiles them. */
const registry = new SchemaRegistry();
for (const service of SERVICES) {
  for (const kind of ['request', 'response'] as const) {
    registry.register(`${service.id}:${kind}`, service.version, readSchema(service, kind));
  }
}

function check(service: DemoService, kind: Kind, value: unknown) {
  return registry.validate(`${service.id}:${kind}`, service.version, value);
}

function errorsOf(service: DemoService, kind: Kind, value: unknown) {
  const result = check(service, kind, value);
  return result.valid ? [] : result.errors;
}

describe('the sample services’ schemas', () => {
  it.each(
    SERVICES.flatMap((service) => (['request', 'response'] as const).map((kind) => [service.id, kind])),
  )('%s %s schema is a self-contained JSON Schema 2020-12', (id, kind) => {
    const service = SERVICES.find((candidate) => candidate.id === id) as DemoService;
    const schema = readSchema(service, kind as Kind);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof schema.title).toBe('string');
    for (const ref of refsOf(schema)) expect(ref).toMatch(/^#\//);
    // A fresh registry, as the gateway checks a schema before publishing it.
    expect(() => new SchemaRegistry().register(id, 'check', schema)).not.toThrow();
  });

  it('are all used by a service, and every service has both', () => {
    const dir = path.join(REPO_ROOT, 'schemas', 'services');
    const onDisk = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.schema.json'))
      .map((file) => path.posix.join('schemas/services', file.split(path.sep).join('/')))
      .sort();
    const named = SERVICES.flatMap((service) => {
      const { requestSchema, responseSchema } = schemaFilesOf(service);
      return [requestSchema, responseSchema];
    }).sort();
    expect(onDisk).toEqual(named);
  });

  it('accept the examples they give', () => {
    for (const service of SERVICES) {
      const examples = readSchema(service, 'request').examples as unknown[];
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) expect(check(service, 'request', example)).toEqual({ valid: true });
    }
  });
});

describe('request schemas', () => {
  it.each(SERVICES.map((service) => [service.id, service]))(
    '%s accepts every demo citizen’s register number and the unknown one',
    (_id, service) => {
      for (const { registerNumber } of CITIZENS) {
        expect(check(service, 'request', { registerNumber })).toEqual({ valid: true });
      }
      expect(check(service, 'request', { registerNumber: DEMO_REGISTER_NUMBERS.unknown })).toEqual({
        valid: true,
      });
      // Mongolian letters beyond Russian's are letters too.
      expect(check(service, 'request', { registerNumber: 'ӨҮ00210154' })).toEqual({ valid: true });
    },
  );

  const malformed: [string, unknown][] = [
    ['Latin letters (the demo’s schema violation)', { registerNumber: DEMO_REGISTER_NUMBERS.malformed }],
    ['lower-case Cyrillic', { registerNumber: 'уб99010112' }],
    ['seven digits', { registerNumber: 'УБ9901011' }],
    ['nine digits', { registerNumber: 'УБ990101123' }],
    ['one letter', { registerNumber: 'У99010112' }],
    ['spaces around it', { registerNumber: ' УБ99010112 ' }],
    ['a number instead of a string', { registerNumber: 99010112 }],
  ];

  it.each(SERVICES.flatMap((service) => malformed.map(([what, body]) => [service.id, what, body, service])))(
    '%s refuses a register number with %s',
    (_id, _what, body, service) => {
      expect(errorsOf(service as DemoService, 'request', body)).toEqual([
        expect.objectContaining({ pointer: '/registerNumber' }),
      ]);
    },
  );

  it.each(SERVICES.map((service) => [service.id, service]))(
    '%s refuses a missing number, an unknown member and a body that is not an object',
    (_id, service) => {
      expect(errorsOf(service, 'request', {})).toEqual([
        expect.objectContaining({ pointer: '/registerNumber', keyword: 'required' }),
      ]);
      expect(errorsOf(service, 'request', { registerNumber: 'УБ99010112', name: 'Тэмүүлэн' })).toEqual([
        expect.objectContaining({ pointer: '/name', keyword: 'additionalProperties' }),
      ]);
      for (const body of [null, [], 'УБ99010112', undefined]) {
        expect(check(service, 'request', body).valid).toBe(false);
      }
    },
  );

  it('contributions accepts a range of months and refuses what is not a month', () => {
    const service = CONTRIBUTIONS_SERVICE;
    const ask = (range: object) => check(service, 'request', { registerNumber: 'УБ99010112', ...range });
    expect(ask({ from: '2024-01', to: '2024-12' })).toEqual({ valid: true });
    expect(ask({ from: '2023-06' })).toEqual({ valid: true });
    for (const month of ['2024-13', '2024-00', '2024-1', '2024/01', '202401', '2024-01-01', 2024]) {
      expect(errorsOf(service, 'request', { registerNumber: 'УБ99010112', from: month })).toEqual([
        expect.objectContaining({ pointer: '/from' }),
      ]);
      expect(errorsOf(service, 'request', { registerNumber: 'УБ99010112', to: month })).toEqual([
        expect.objectContaining({ pointer: '/to' }),
      ]);
    }
  });
});

describe('every fixture answer matches its response schema', () => {
  it.each(CITIZENS.map((person) => [person.registerNumber]))('person %s', (registerNumber) => {
    expect(check(PERSON_SERVICE, 'response', findPerson(registerNumber))).toEqual({ valid: true });
  });

  it.each(TAXPAYERS.map((taxpayer) => [taxpayer.registerNumber]))('taxpayer-status %s', (registerNumber) => {
    expect(check(TAXPAYER_STATUS_SERVICE, 'response', findTaxpayerStatus(registerNumber))).toEqual({
      valid: true,
    });
  });

  it.each(Object.keys(EMPLOYMENT).map((registerNumber) => [registerNumber]))(
    'contributions %s, whole and in parts',
    (registerNumber) => {
      const ranges: [string?, string?][] = [[], ['2024-01'], [undefined, '2023-06'], ['2024-06', '2024-08']];
      for (const [from, to] of ranges) {
        const history = contributionHistory(registerNumber, from, to);
        expect(check(CONTRIBUTIONS_SERVICE, 'response', history)).toEqual({ valid: true });
      }
    },
  );

  it('contributions with nothing in the range', () => {
    const history = contributionHistory('УБ99010112', '2023-09', '2023-09');
    expect(history?.contributions).toEqual([]);
    expect(check(CONTRIBUTIONS_SERVICE, 'response', history)).toEqual({ valid: true });
  });
});

describe('response schemas', () => {
  const person = findPerson('УБ99010112');

  it('refuse a person without an address, with a gender or a date they do not know', () => {
    const { address: _address, ...homeless } = person as NonNullable<typeof person>;
    expect(errorsOf(PERSON_SERVICE, 'response', homeless)).toEqual([
      expect.objectContaining({ pointer: '/address', keyword: 'required' }),
    ]);
    expect(errorsOf(PERSON_SERVICE, 'response', { ...person, gender: 'M' })).toEqual([
      expect.objectContaining({ pointer: '/gender', keyword: 'enum' }),
    ]);
    expect(errorsOf(PERSON_SERVICE, 'response', { ...person, birthDate: '1999-13-01' })).toEqual([
      expect.objectContaining({ pointer: '/birthDate', keyword: 'format' }),
    ]);
  });

  it('refuse arrears in another currency or a status the service does not have', () => {
    const taxpayer = findTaxpayerStatus('УБ99010112');
    expect(
      errorsOf(TAXPAYER_STATUS_SERVICE, 'response', {
        ...taxpayer,
        arrears: { amount: 10, currency: 'USD' },
      }),
    ).toEqual([expect.objectContaining({ pointer: '/arrears/currency', keyword: 'const' })]);
    expect(errorsOf(TAXPAYER_STATUS_SERVICE, 'response', { ...taxpayer, status: 'unknown' })).toEqual([
      expect.objectContaining({ pointer: '/status', keyword: 'enum' }),
    ]);
  });

  it('refuse a contribution in a fraction of a tögrög', () => {
    const history = contributionHistory('УБ99010112', '2024-01', '2024-01');
    const [first] = history?.contributions ?? [];
    expect(
      errorsOf(CONTRIBUTIONS_SERVICE, 'response', { ...history, contributions: [{ ...first, amount: 0.5 }] }),
    ).toEqual([expect.objectContaining({ pointer: '/contributions/0/amount', keyword: 'type' })]);
  });
});
