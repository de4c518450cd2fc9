import type { JsonValue } from '../../core/src/envelope';

/**
 * The benchmark's payload: a civil-registry person record of about 1 KB, with
 * Cyrillic names and addresses as the real registry has them, and its schema.
 */
export const PERSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['registerNumber', 'familyName', 'givenName', 'birthDate', 'sex', 'address', 'documents'],
  properties: {
    registerNumber: { type: 'string', pattern: '^[А-ЯӨҮЁ]{2}[0-9]{8}$' },
    familyName: { type: 'string', minLength: 1, maxLength: 100 },
    givenName: { type: 'string', minLength: 1, maxLength: 100 },
    clanName: { type: 'string', maxLength: 100 },
    birthDate: { type: 'string', format: 'date' },
    sex: { enum: ['female', 'male'] },
    citizenship: { type: 'string', pattern: '^[A-Z]{3}$' },
    address: {
      type: 'object',
      additionalProperties: false,
      required: ['aimag', 'soum', 'street'],
      properties: {
        aimag: { type: 'string', maxLength: 100 },
        soum: { type: 'string', maxLength: 100 },
        bag: { type: 'string', maxLength: 100 },
        street: { type: 'string', maxLength: 200 },
        building: { type: 'string', maxLength: 20 },
        apartment: { type: 'string', maxLength: 20 },
        postalCode: { type: 'string', pattern: '^[0-9]{5}$' },
      },
    },
    contacts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        phone: { type: 'string', pattern: '^\\+976[0-9]{8}$' },
        email: { type: 'string', format: 'email' },
      },
    },
    documents: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'number', 'issuedOn'],
        properties: {
          kind: { enum: ['id-card', 'passport', 'birth-certificate'] },
          number: { type: 'string', maxLength: 32 },
          issuedOn: { type: 'string', format: 'date' },
          validUntil: { type: 'string', format: 'date' },
          issuer: { type: 'string', maxLength: 200 },
        },
      },
    },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const PERSON_RECORD: JsonValue = {
  registerNumber: 'УБ99010112',
  familyName: 'Батболд',
  givenName: 'Бат-Эрдэнэ',
  clanName: 'Боржигин',
  birthDate: '1999-01-01',
  sex: 'male',
  citizenship: 'MNG',
  address: {
    aimag: 'Улаанбаатар',
    soum: 'Сүхбаатар дүүрэг',
    bag: '1-р хороо',
    street: 'Чингисийн өргөн чөлөө',
    building: '15',
    apartment: '42',
    postalCode: '14200',
  },
  contacts: { phone: '+97699112233', email: 'bat-erdene@example.mn' },
  documents: [
    {
      kind: 'id-card',
      number: 'ИҮ1234567',
      issuedOn: '2016-02-15',
      validUntil: '2026-02-15',
      issuer: 'Улсын бүртгэлийн ерөнхий газар',
    },
    {
      kind: 'passport',
      number: 'E1234567',
      issuedOn: '2019-06-01',
      validUntil: '2029-06-01',
      issuer: 'Гадаад харилцааны яам',
    },
    { kind: 'birth-certificate', number: 'ТГ0012345', issuedOn: '1999-01-20' },
  ],
  updatedAt: '2026-03-01T08:30:00.000Z',
};
