import fc from 'fast-check';
import { isOrtooError, OrtooError } from '../../../core/src/errors';
import { SchemaRegistry } from '../../../core/src/schemas';

const SERVICE = 'MN/GOV/9011311/civil-registry/person';

/** A person record as the civil registry's sample service describes it. */
const personSchema = {
  $id: 'https://civil-registry.example.mn/schemas/person.json',
  type: 'object',
  required: ['id', 'name', 'birthDate'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^\\p{Lu}\\p{Ll}+$' },
    birthDate: { type: 'string', format: 'date' },
    email: { type: 'string', format: 'email' },
    address: { $ref: '#/$defs/address' },
    children: { type: 'array', items: { $ref: '#/$defs/child' } },
  },
  $defs: {
    address: {
      type: 'object',
      required: ['city'],
      properties: { city: { type: 'string' }, 'postal/code': { type: 'string' } },
    },
    child: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  },
};

const validPerson = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  name: 'Бат',
  birthDate: '1990-07-11',
  email: 'bat@example.mn',
  address: { city: 'Улаанбаатар' },
};

function registryWithPerson(): SchemaRegistry {
  const registry = new SchemaRegistry();
  registry.register(SERVICE, 'v1', personSchema);
  return registry;
}

/** Runs `action` and returns the OrtooError it throws. */
function thrown(action: () => unknown): OrtooError {
  try {
    action();
  } catch (error) {
    if (error instanceof OrtooError) return error;
    throw error;
  }
  throw new Error('expected an OrtooError');
}

describe('SchemaRegistry', () => {
  describe('validate', () => {
    it('accepts a record that matches its schema', () => {
      expect(registryWithPerson().validate(SERVICE, 'v1', validPerson)).toEqual({ valid: true });
    });

    it('points at the offending value of a nested property', () => {
      const result = registryWithPerson().validate(SERVICE, 'v1', { ...validPerson, address: { city: 42 } });
      expect(result).toEqual({
        valid: false,
        errors: [
          {
            pointer: '/address/city',
            keyword: 'type',
            message: 'must be string',
            schemaPointer: '/$defs/address/properties/city/type',
          },
        ],
      });
    });

    it('names the missing property for required', () => {
      const noName: Partial<typeof validPerson> = { ...validPerson };
      delete noName.name;
      const result = registryWithPerson().validate(SERVICE, 'v1', noName);
      expect(result.valid).toBe(false);
      expect(!result.valid && result.errors).toEqual([
        expect.objectContaining({ pointer: '/name', keyword: 'required', schemaPointer: '/required' }),
      ]);
    });

    it('names the missing property inside an array item', () => {
      const result = registryWithPerson().validate(SERVICE, 'v1', {
        ...validPerson,
        children: [{ name: 'A' }, {}],
      });
      expect(!result.valid && result.errors.map((e) => e.pointer)).toEqual(['/children/1/name']);
    });

    it('names a property that is not allowed', () => {
      const result = registryWithPerson().validate(SERVICE, 'v1', { ...validPerson, salary: 1 });
      expect(!result.valid && result.errors).toEqual([
        expect.objectContaining({ pointer: '/salary', keyword: 'additionalProperties' }),
      ]);
    });

    it('escapes "/" and "~" in property names (RFC 6901)', () => {
      const registry = new SchemaRegistry();
      registry.register('s', '1', { type: 'object', properties: { 'a/b~c': {} }, required: ['a/b~c'] });
      const result = registry.validate('s', '1', {});
      expect(!result.valid && result.errors[0]?.pointer).toBe('/a~1b~0c');
    });

    it("uses '' as the pointer of the root value", () => {
      const result = registryWithPerson().validate(SERVICE, 'v1', 'not a person');
      expect(!result.valid && result.errors).toEqual([
        expect.objectContaining({ pointer: '', keyword: 'type' }),
      ]);
    });

    it('reports every error, not just the first', () => {
      const result = registryWithPerson().validate(SERVICE, 'v1', {
        ...validPerson,
        id: 'x',
        birthDate: 'y',
      });
      expect(!result.valid && result.errors.map((e) => e.pointer).sort()).toEqual(['/birthDate', '/id']);
    });

    it('returns at most maxErrors errors', () => {
      const registry = new SchemaRegistry({ maxErrors: 3 });
      registry.register('s', '1', { type: 'array', items: { type: 'string' } });
      const result = registry.validate(
        's',
        '1',
        Array.from({ length: 1000 }, (_, i) => i),
      );
      expect(!result.valid && result.errors).toHaveLength(3);
    });

    it.each([
      ['date', 'birthDate', '1990-02-30'],
      ['email', 'email', 'not-an-email'],
      ['uuid', 'id', '0f8fad5b-d9cb-469f-a165'],
    ])('checks the %s format', (format, property, bad) => {
      const result = registryWithPerson().validate(SERVICE, 'v1', { ...validPerson, [property]: bad });
      expect(!result.valid && result.errors).toEqual([
        expect.objectContaining({
          pointer: `/${property}`,
          keyword: 'format',
          message: `must match format "${format}"`,
        }),
      ]);
    });

    it('counts Cyrillic characters, not UTF-16 units, and matches Unicode classes', () => {
      const registry = registryWithPerson();
      // 'Өлзий' is five letters: within maxLength 5 even though Ө, ө are not ASCII.
      expect(registry.validate(SERVICE, 'v1', { ...validPerson, name: 'Өлзий' })).toEqual({ valid: true });
      const tooLong = registry.validate(SERVICE, 'v1', { ...validPerson, name: 'Өлзийбат' });
      expect(!tooLong.valid && tooLong.errors.map((e) => e.keyword)).toEqual(['maxLength']);
      const lowerCase = registry.validate(SERVICE, 'v1', { ...validPerson, name: 'бат' });
      expect(!lowerCase.valid && lowerCase.errors.map((e) => e.keyword)).toEqual(['pattern']);
    });

    it('counts an astral character as one for minLength', () => {
      const registry = new SchemaRegistry();
      registry.register('s', '1', { type: 'string', minLength: 2 });
      expect(registry.validate('s', '1', '𝔸').valid).toBe(false);
      expect(registry.validate('s', '1', '𝔸𝔸').valid).toBe(true);
    });

    it('never changes the validated data (no defaults filled in)', () => {
      const registry = new SchemaRegistry();
      registry.register('s', '1', { type: 'object', properties: { a: { type: 'string', default: 'x' } } });
      const data = {};
      registry.validate('s', '1', data);
      expect(data).toEqual({});
    });

    it('fails with NotFound for an unknown (id, version)', () => {
      const registry = registryWithPerson();
      const error = thrown(() => registry.validate(SERVICE, 'v2', validPerson));
      expect(error.code).toBe('NotFound');
      expect(error.message).toContain(`${SERVICE}@v2`);
    });

    it('copes with large and deeply nested input', () => {
      const registry = new SchemaRegistry();
      registry.register('tree', '1', {
        $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
        $ref: '#/$defs/node',
      });
      let deep: Record<string, unknown> = {};
      for (let i = 0; i < 2000; i += 1) deep = { child: deep };
      expect(registry.validate('tree', '1', deep)).toEqual({ valid: true });

      const wide = registryWithPerson().validate(SERVICE, 'v1', {
        ...validPerson,
        children: Array.from({ length: 100_000 }, () => ({})),
      });
      expect(!wide.valid && wide.errors).toHaveLength(20);
    });

    it('never throws, whatever JSON value it is given', () => {
      const registry = registryWithPerson();
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const result = registry.validate(SERVICE, 'v1', value);
          return result.valid || result.errors.length > 0;
        }),
      );
    });
  });

  describe('assertValid', () => {
    it('returns quietly for valid data', () => {
      expect(() => registryWithPerson().assertValid(SERVICE, 'v1', validPerson)).not.toThrow();
    });

    it('throws SchemaViolation carrying the errors', () => {
      const error = thrown(() =>
        registryWithPerson().assertValid(SERVICE, 'v1', { ...validPerson, address: { city: 1 } }),
      );
      expect(error.code).toBe('SchemaViolation');
      expect(error.type).toBe('Client.SchemaViolation');
      expect(error.message).toBe(`Data does not match schema ${SERVICE}@v1: /address/city must be string`);
      expect(error.detail).toEqual({ errors: [expect.objectContaining({ pointer: '/address/city' })] });
    });

    it('caps the errors it carries at 20 by default', () => {
      const error = thrown(() =>
        registryWithPerson().assertValid(SERVICE, 'v1', { ...validPerson, children: new Array(50).fill(1) }),
      );
      expect((error.detail as { errors: unknown[] }).errors).toHaveLength(20);
    });
  });

  describe('register', () => {
    it('is a no-op when the identical schema is registered again', () => {
      const registry = registryWithPerson();
      expect(() => registry.register(SERVICE, 'v1', structuredClone(personSchema))).not.toThrow();
      expect(registry.validate(SERVICE, 'v1', validPerson)).toEqual({ valid: true });
    });

    it('refuses a different schema under the same (id, version) with Conflict', () => {
      const registry = registryWithPerson();
      const error = thrown(() => registry.register(SERVICE, 'v1', { ...personSchema, required: ['id'] }));
      expect(error.code).toBe('Conflict');
      expect(registry.validate(SERVICE, 'v1', { id: validPerson.id }).valid).toBe(false);
    });

    it('keeps versions that share an author $id apart', () => {
      const registry = registryWithPerson();
      registry.register(SERVICE, 'v2', { ...personSchema, required: ['id'] });
      expect(registry.validate(SERVICE, 'v1', { id: validPerson.id }).valid).toBe(false);
      expect(registry.validate(SERVICE, 'v2', { id: validPerson.id }).valid).toBe(true);
    });

    it('is not affected by later changes to the caller’s schema object', () => {
      const schema = { type: 'object', properties: { a: {}, b: {} }, required: ['a'] };
      const registry = new SchemaRegistry();
      registry.register('s', '1', schema);
      schema.required.push('b');
      expect(registry.validate('s', '1', { a: 1 })).toEqual({ valid: true });
    });

    it.each([
      ['a keyword of the wrong type', { type: 'object', required: 'name' }, /required/],
      ['an unknown type', { type: 'text' }, /type/],
      ['an unknown keyword (strict mode)', { type: 'string', maxLenght: 3 }, /unknown keyword: "maxLenght"/],
      ['an unknown format', { type: 'string', format: 'postcode' }, /unknown format "postcode"/],
      ['an unresolvable $ref', { $ref: '#/$defs/missing' }, /can't resolve reference #\/\$defs\/missing/],
      ['a $ref to another file', { $ref: 'address.json' }, /can't resolve reference address.json/],
      ['a required property never declared (strict mode)', { type: 'object', required: ['nmae'] }, /"nmae"/],
      ['an invalid pattern', { type: 'string', pattern: '([a-z' }, /Invalid regular expression/],
      ['an $async schema', { $async: true, type: 'object' }, /\$async/],
      ['an array', [{ type: 'string' }], /must be a JSON object/],
    ])('refuses %s with InvalidSchema and Ajv’s reason', (_kind, schema, reason) => {
      const registry = new SchemaRegistry();
      const error = thrown(() => registry.register('s', '1', schema));
      expect(error.code).toBe('InvalidSchema');
      expect(error.message).toMatch(reason);
      expect((error.detail as { reason: string }).reason).toMatch(reason);
      expect(registry.has('s', '1')).toBe(false);
    });

    it('keeps nested relative $ids of different versions apart, and forgets them on remove', () => {
      const schema = (type: string): object => ({
        type: 'object',
        properties: { code: { $ref: 'code' } },
        $defs: { code: { $id: 'code', type } },
      });
      const registry = new SchemaRegistry();
      registry.register('s', '1', schema('string'));
      registry.register('s', '2', schema('integer'));
      expect(registry.validate('s', '1', { code: 'a' }).valid).toBe(true);
      expect(registry.validate('s', '2', { code: 'a' }).valid).toBe(false);
      registry.remove('s', '2');
      registry.register('s', '2', schema('boolean'));
      expect(registry.validate('s', '2', { code: true }).valid).toBe(true);
    });

    it('accepts a corrected schema after refusing an invalid one', () => {
      const registry = new SchemaRegistry();
      expect(() => registry.register('s', '1', { $ref: '#/$defs/missing' })).toThrow(OrtooError);
      registry.register('s', '1', { $ref: '#/$defs/a', $defs: { a: { type: 'string' } } });
      expect(registry.validate('s', '1', 'x')).toEqual({ valid: true });
    });
  });

  describe('has and remove', () => {
    it('forgets a removed schema, after which the (id, version) is free again', () => {
      const registry = registryWithPerson();
      expect(registry.has(SERVICE, 'v1')).toBe(true);
      expect(registry.remove(SERVICE, 'v1')).toBe(true);
      expect(registry.has(SERVICE, 'v1')).toBe(false);
      expect(
        isOrtooError(
          thrown(() => registry.validate(SERVICE, 'v1', {})),
          'NotFound',
        ),
      ).toBe(true);

      registry.register(SERVICE, 'v1', { type: 'string' });
      expect(registry.validate(SERVICE, 'v1', 'x')).toEqual({ valid: true });
    });

    it('reports whether there was anything to remove', () => {
      expect(new SchemaRegistry().remove(SERVICE, 'v1')).toBe(false);
    });
  });
});
