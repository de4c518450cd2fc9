import type { JsonValue } from '../../../core/src/envelope';
import { dataSubjectOf, requestDataSubject } from '../../../core/src/exchange';

describe('dataSubjectOf', () => {
  const body: JsonValue = {
    registerNumber: 'УБ99010112',
    person: { id: 'ЧБ85061512', age: 40, alive: true, spouse: null, address: { city: 'Улаанбаатар' } },
    children: [{ registerNumber: 'УБ15010101' }, { registerNumber: 'УБ17020202' }],
    ids: ['first', 2],
    'a/b': 'slash',
    'm~n': 'tilde',
    '~1': 'tilde-one',
    '': 'empty key',
    иргэн: { регистр: 'АБ00112233' },
    caseNumber: 2025114,
    ratio: 0.5,
  };

  it.each([
    ['/registerNumber', 'УБ99010112'],
    ['/person/id', 'ЧБ85061512'],
    ['/person/address/city', 'Улаанбаатар'],
    ['/иргэн/регистр', 'АБ00112233'],
  ])('follows %j to a string', (pointer, expected) => {
    expect(dataSubjectOf(pointer, body)).toBe(expected);
  });

  it('indexes arrays by position', () => {
    expect(dataSubjectOf('/children/0/registerNumber', body)).toBe('УБ15010101');
    expect(dataSubjectOf('/children/1/registerNumber', body)).toBe('УБ17020202');
    expect(dataSubjectOf('/ids/0', body)).toBe('first');
  });

  it('writes a number as its decimal text', () => {
    expect(dataSubjectOf('/caseNumber', body)).toBe('2025114');
    expect(dataSubjectOf('/ratio', body)).toBe('0.5');
    expect(dataSubjectOf('/person/age', body)).toBe('40');
    expect(dataSubjectOf('/ids/1', body)).toBe('2');
  });

  it('undoes the escapes of RFC 6901: ~1 is a slash, ~0 a tilde, ~01 a tilde and a one', () => {
    expect(dataSubjectOf('/a~1b', body)).toBe('slash');
    expect(dataSubjectOf('/m~0n', body)).toBe('tilde');
    expect(dataSubjectOf('/~01', body)).toBe('tilde-one');
  });

  it('reads the pointer "/" as the member with the empty name, and "" as the whole body', () => {
    expect(dataSubjectOf('/', body)).toBe('empty key');
    expect(dataSubjectOf('', 'УБ99010112')).toBe('УБ99010112');
    expect(dataSubjectOf('', 17)).toBe('17');
    expect(dataSubjectOf('', body)).toBeUndefined();
  });

  it.each([
    ['/missing', 'a missing member'],
    ['/person/missing/deeper', 'a path through a missing member'],
    ['/children/2/registerNumber', 'an index past the end'],
    ['/children/-/registerNumber', 'the past-the-end index "-"'],
    ['/children/01/registerNumber', 'an index with a leading zero'],
    ['/children/first', 'a name where an array needs an index'],
    ['/registerNumber/0', 'a path into a string'],
    ['/caseNumber/0', 'a path into a number'],
    ['/person', 'an object'],
    ['/children', 'an array'],
    ['/person/alive', 'a boolean'],
    ['/person/spouse', 'null'],
    ['/a/b', 'an unescaped slash'],
    ['/toString', 'an inherited property'],
    ['/constructor', 'an inherited property'],
    ['/__proto__', 'the prototype'],
    ['registerNumber', 'a pointer without its leading slash'],
  ])('gives undefined for %j (%s)', (pointer) => {
    expect(dataSubjectOf(pointer, body)).toBeUndefined();
  });

  it('reads a member named __proto__ of parsed JSON as the plain member it is', () => {
    const parsed = JSON.parse('{"__proto__": "УБ99010112"}') as JsonValue;
    expect(dataSubjectOf('/__proto__', parsed)).toBe('УБ99010112');
  });

  it('gives undefined when there is no pointer or no body', () => {
    expect(dataSubjectOf(undefined, body)).toBeUndefined();
    expect(dataSubjectOf('/registerNumber', undefined)).toBeUndefined();
    expect(dataSubjectOf('/registerNumber', null)).toBeUndefined();
  });

  it('finds nothing in a body that is not JSON, which travels as a base64 string', () => {
    expect(
      dataSubjectOf('/registerNumber', Buffer.from('registerNumber=УБ99010112').toString('base64')),
    ).toBe(undefined);
  });
});

describe('requestDataSubject', () => {
  const endpoints = [
    { method: 'GET', path: '/persons/{registerNumber}' },
    { method: 'GET', path: '/persons/{registerNumber}/addresses' },
    { method: 'POST', path: '/certificates' },
  ] as const;
  const request = (method: 'GET' | 'POST', path: string, query = '') => ({ method, path, query });

  it('takes a path parameter of the endpoint the request matches', () => {
    const service = { dataSubjectPointer: 'path:registerNumber', endpoints };
    expect(requestDataSubject(service, request('GET', '/persons/%D0%A3%D0%9199010112'), undefined)).toBe(
      'УБ99010112',
    );
    expect(requestDataSubject(service, request('GET', '/persons/УБ99010112/addresses'), undefined)).toBe(
      'УБ99010112',
    );
    // No such parameter on this endpoint, or no endpoint at all.
    expect(
      requestDataSubject(service, request('POST', '/certificates'), { registerNumber: 'x' }),
    ).toBeUndefined();
    expect(requestDataSubject(service, request('GET', '/nowhere'), undefined)).toBeUndefined();
    expect(
      requestDataSubject(
        { dataSubjectPointer: 'path:registerNumber' },
        request('GET', '/persons/1'),
        undefined,
      ),
    ).toBeUndefined();
  });

  it('takes the first value of a query parameter', () => {
    const service = { dataSubjectPointer: 'query:rn' };
    expect(
      requestDataSubject(service, request('GET', '/x', 'rn=%D0%A3%D0%9199010112&rn=other'), undefined),
    ).toBe('УБ99010112');
    expect(requestDataSubject(service, request('GET', '/x', 'other=1'), undefined)).toBeUndefined();
    expect(requestDataSubject(service, request('GET', '/x', 'rn='), undefined)).toBeUndefined();
  });

  it('reads a JSON pointer into the body as before', () => {
    const service = { dataSubjectPointer: '/registerNumber', endpoints };
    expect(
      requestDataSubject(service, request('POST', '/certificates'), { registerNumber: 'УБ99010112' }),
    ).toBe('УБ99010112');
    expect(requestDataSubject({}, request('POST', '/certificates'), { registerNumber: 'x' })).toBeUndefined();
  });
});
