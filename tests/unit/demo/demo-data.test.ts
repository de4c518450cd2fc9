import { existsSync } from 'node:fs';
import { dataSubjectOf, requestDataSubject } from '../../../core/src/exchange';
import {
  formatMemberId,
  formatServiceId,
  formatSubsystemId,
  parseMemberId,
  parseServiceId,
  parseSubsystemId,
} from '../../../core/src/identifiers';
import {
  ACCESS_RIGHTS,
  AGENCIES,
  CITIZENS,
  DEMO_REGISTER_NUMBERS,
  DENIED_CALL,
  E_SERVICES,
  PROVIDERS,
  SERVICES,
  repoPath,
} from '../../../scripts/demo/demo-data';
import { BACKEND_FACTORIES, EMPLOYMENT, TAXPAYERS } from '../../../scripts/demo/backends';

/** Cyrillic as Mongolian writes it, with the spaces and hyphens of names and addresses, and digits. */
const MONGOLIAN_TEXT = /^[А-ЯЁӨҮа-яёөү0-9 -]+$/;

describe('the demo citizens', () => {
  const numbers = CITIZENS.map((person) => person.registerNumber);

  it('are at least five, with distinct register numbers, УБ99010112 among them', () => {
    expect(CITIZENS.length).toBeGreaterThanOrEqual(5);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toContain('УБ99010112');
    expect(numbers).toContain(DEMO_REGISTER_NUMBERS.known);
    expect(numbers).not.toContain(DEMO_REGISTER_NUMBERS.unknown);
  });

  it.each(CITIZENS.map((person) => [person.registerNumber, person]))(
    '%s carries the birth date and gender of its holder',
    (registerNumber, person) => {
      const [yy, mm, dd, genderDigit] = [
        registerNumber.slice(2, 4),
        Number(registerNumber.slice(4, 6)),
        registerNumber.slice(6, 8),
        Number(registerNumber[8]),
      ];
      const born2000s = mm > 20;
      const month = String(born2000s ? mm - 20 : mm).padStart(2, '0');
      expect(person.birthDate).toBe(`${born2000s ? '20' : '19'}${yy}-${month}-${dd}`);
      expect(person.gender).toBe(genderDigit % 2 === 1 ? 'male' : 'female');
    },
  );

  it.each(CITIZENS.map((person) => [person.registerNumber, person]))(
    '%s has a Mongolian name and address',
    (_number, person) => {
      for (const text of [person.lastName, person.firstName, person.clanName ?? 'Овог']) {
        expect(text).toMatch(MONGOLIAN_TEXT);
      }
      for (const text of Object.values(person.address)) expect(text).toMatch(MONGOLIAN_TEXT);
      expect(person.address.aimag).toMatch(/ (аймаг|хот)$/);
      expect(person.address.district).toMatch(/ (сум|дүүрэг)$/);
      expect(person.address.khoroo).toMatch(/ (баг|хороо)$/);
    },
  );

  it('are each known to the tax authority and the social insurance office, and nobody else is', () => {
    const sorted = [...numbers].sort();
    expect(TAXPAYERS.map((taxpayer) => taxpayer.registerNumber).sort()).toEqual(sorted);
    expect(Object.keys(EMPLOYMENT).sort()).toEqual(sorted);
  });
});

describe('the demo agencies', () => {
  it('are the four of the demo network, with their member codes and subsystems', () => {
    expect(
      Object.values(AGENCIES).map(({ memberId, subsystemId, name }) => [memberId, subsystemId, name]),
    ).toEqual([
      ['MN/GOV/9011311', 'MN/GOV/9011311/civil-registry', 'Улсын бүртгэлийн ерөнхий газар'],
      ['MN/GOV/9016004', 'MN/GOV/9016004/tax', 'Татварын ерөнхий газар'],
      ['MN/GOV/9017007', 'MN/GOV/9017007/social-insurance', 'Нийгмийн даатгалын ерөнхий газар'],
      ['MN/GOV/7000001', 'MN/GOV/7000001/e-services', 'Цахим үндэстэн (E-Mongolia)'],
    ]);
    expect(E_SERVICES.services).toEqual([]);
    expect(Object.keys(BACKEND_FACTORIES).sort()).toEqual(PROVIDERS.map((provider) => provider.key).sort());
  });

  it('have identifiers the core parses back to themselves', () => {
    for (const agency of Object.values(AGENCIES)) {
      expect(formatMemberId(parseMemberId(agency.memberId))).toBe(agency.memberId);
      expect(formatSubsystemId(parseSubsystemId(agency.subsystemId))).toBe(agency.subsystemId);
      expect(parseSubsystemId(agency.subsystemId)).toMatchObject({
        memberCode: agency.memberCode,
        subsystemCode: agency.subsystemCode,
      });
      for (const service of agency.services) {
        expect(formatServiceId(parseServiceId(service.id))).toBe(service.id);
        expect(service.id).toBe(`${agency.subsystemId}/${service.code}`);
      }
    }
    expect(SERVICES.map((service) => service.id)).toEqual([
      'MN/GOV/9011311/civil-registry/person',
      'MN/GOV/9011311/civil-registry/records',
      'MN/GOV/9016004/tax/taxpayer-status',
      'MN/GOV/9017007/social-insurance/contributions',
    ]);
  });

  it('name description files that exist, and a data subject pointer that finds the register number', () => {
    for (const service of SERVICES) {
      const { description } = service;
      const folder = `schemas/services/${service.id.split('/')[3]}`;
      if (description.kind === 'openapi') {
        expect(description.document).toBe(`${folder}/${service.code}.openapi.yaml`);
        expect(existsSync(repoPath(description.document))).toBe(true);
        const request = { method: 'GET', path: '/persons/УБ99010112', query: '' } as const;
        expect(
          requestDataSubject(
            { ...service, endpoints: [{ method: 'GET', path: '/persons/{registerNumber}' }] },
            request,
            undefined,
          ),
        ).toBe('УБ99010112');
        continue;
      }
      expect(existsSync(repoPath(description.requestSchema))).toBe(true);
      expect(existsSync(repoPath(description.responseSchema))).toBe(true);
      expect(description.requestSchema).toBe(`${folder}/${service.code}.request.schema.json`);
      expect(dataSubjectOf(service.dataSubjectPointer, { registerNumber: 'УБ99010112' })).toBe('УБ99010112');
    }
  });

  it('grant the portal every service, and the denied call is granted to nobody', () => {
    const ids = new Set(SERVICES.map((service) => service.id));
    const clients = new Set(Object.values(AGENCIES).map((agency) => agency.subsystemId));
    for (const right of ACCESS_RIGHTS) {
      expect(ids.has(right.service)).toBe(true);
      expect(clients.has(right.client)).toBe(true);
    }
    for (const service of SERVICES) {
      expect(ACCESS_RIGHTS).toContainEqual({ service: service.id, client: E_SERVICES.subsystemId });
    }
    expect(ACCESS_RIGHTS).not.toContainEqual(DENIED_CALL);
  });
});
