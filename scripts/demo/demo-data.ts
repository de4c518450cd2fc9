/**
 * The demo network's cast: the four agencies (who they are, what they
 * provide, where each service's schemas are), who may call what, and the
 * citizens the civil registry knows. Everything is fixed, never random, so
 * the tour, the tests and the README show the same answers on every machine.
 *
 * The people and employers are made up; the agencies and their member codes
 * are those of the demo instance, not of a real registry.
 */
import path from 'node:path';

/** The demo instance's code, the first part of every identifier. */
export const INSTANCE = 'MN';

/** The repository's root: the schema paths below are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** A repository-relative path (as in {@link DemoService}) made absolute. */
export function repoPath(relative: string): string {
  return path.resolve(REPO_ROOT, relative);
}

// ---------------------------------------------------------------------------
// Citizens: the civil registry's records
// ---------------------------------------------------------------------------

/** Хүйс. */
export type Gender = 'male' | 'female';

/** Оршин суугаа хаяг: a registered address, from the aimag down. */
export interface Address {
  /** Аймаг, or the capital: `Улаанбаатар хот`. */
  readonly aimag: string;
  /** Сум, or дүүрэг in the capital. */
  readonly district: string;
  /** Баг, or хороо in the capital. */
  readonly khoroo: string;
  /** Гудамж or өргөн чөлөө, where there is one. */
  readonly street?: string;
  /** Байр, where the home is in a block of flats. */
  readonly building?: string;
  /** Тоот: the flat's number. */
  readonly apartment?: string;
}

/**
 * A citizen as the civil registry answers for them: the body of
 * `civil-registry/person` (`schemas/services/civil-registry/person.response.schema.json`).
 */
export interface Person {
  /** Регистрийн дугаар: two Cyrillic capital letters, then eight digits. */
  readonly registerNumber: string;
  /** Ургийн овог, the clan name. */
  readonly clanName?: string;
  /** Эцэг/эхийн нэр, the father's or mother's given name. */
  readonly lastName: string;
  /** Нэр, the given name. */
  readonly firstName: string;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly gender: Gender;
  readonly address: Address;
}

/**
 * The citizens of the demo. Their register numbers follow the real scheme:
 * digits 1–6 are the birth date (YYMMDD, the month plus 20 for births from
 * 2000), and the second-to-last digit is odd for men and even for women.
 */
export const CITIZENS: readonly Person[] = [
  {
    registerNumber: 'УБ99010112',
    clanName: 'Боржигин',
    lastName: 'Батболд',
    firstName: 'Тэмүүлэн',
    birthDate: '1999-01-01',
    gender: 'male',
    address: {
      aimag: 'Улаанбаатар хот',
      district: 'Сүхбаатар дүүрэг',
      khoroo: '1-р хороо',
      street: 'Энх тайвны өргөн чөлөө',
      building: '12-р байр',
      apartment: '34 тоот',
    },
  },
  {
    registerNumber: 'ЧБ85062346',
    clanName: 'Хиад',
    lastName: 'Ганболд',
    firstName: 'Оюунчимэг',
    birthDate: '1985-06-23',
    gender: 'female',
    address: {
      aimag: 'Дархан-Уул аймаг',
      district: 'Дархан сум',
      khoroo: '7-р баг',
      street: 'Сэлэнгийн гудамж',
      building: '3-р байр',
      apartment: '21 тоот',
    },
  },
  {
    registerNumber: 'ИЕ03251578',
    clanName: 'Тайчууд',
    lastName: 'Энхбаяр',
    firstName: 'Билгүүн',
    birthDate: '2003-05-15',
    gender: 'male',
    address: {
      aimag: 'Улаанбаатар хот',
      district: 'Хан-Уул дүүрэг',
      khoroo: '11-р хороо',
      street: 'Зайсангийн гудамж',
      building: '52-р байр',
      apartment: '7 тоот',
    },
  },
  {
    registerNumber: 'ФА72110824',
    clanName: 'Олхонууд',
    lastName: 'Цэрэндорж',
    firstName: 'Сарантуяа',
    birthDate: '1972-11-08',
    gender: 'female',
    address: {
      aimag: 'Орхон аймаг',
      district: 'Баян-Өндөр сум',
      khoroo: 'Баянцагаан баг',
      building: '14-р байр',
      apartment: '56 тоот',
    },
  },
  {
    registerNumber: 'ЕЮ90120953',
    clanName: 'Хонгирад',
    lastName: 'Дашдорж',
    firstName: 'Мөнх-Эрдэнэ',
    birthDate: '1990-12-09',
    gender: 'male',
    address: {
      aimag: 'Хөвсгөл аймаг',
      district: 'Мөрөн сум',
      khoroo: '3-р баг',
    },
  },
  {
    registerNumber: 'ТА64030361',
    lastName: 'Лхагвасүрэн',
    firstName: 'Должин',
    birthDate: '1964-03-03',
    gender: 'female',
    address: {
      aimag: 'Улаанбаатар хот',
      district: 'Чингэлтэй дүүрэг',
      khoroo: '4-р хороо',
      street: 'Самбуугийн гудамж',
      building: '8-р байр',
      apartment: '15 тоот',
    },
  },
];

/** Register numbers the tour and the README use. */
export const DEMO_REGISTER_NUMBERS = {
  /** Тэмүүлэн Батболд, known to every agency. */
  known: 'УБ99010112',
  /** Well formed (born 1988-12-31), but nobody the agencies know: a 404 from each. */
  unknown: 'ЖЧ88123145',
  /** Latin `UB` for Cyrillic `УБ`, the everyday typo: every request schema refuses it. */
  malformed: 'UB99010112',
} as const;

// ---------------------------------------------------------------------------
// Agencies and their services
// ---------------------------------------------------------------------------

/** One service an agency provides, as published to the gateway and mapped on its security server. */
export interface DemoService {
  /** The service code, the last part of its id, e.g. `person`. */
  readonly code: string;
  /** The full service id, e.g. `MN/GOV/9011311/civil-registry/person`. */
  readonly id: string;
  /** The version published. */
  readonly version: string;
  /** The title published, in Mongolian. */
  readonly title: string;
  /**
   * How the service is described to the gateway: by the JSON Schemas of its
   * request and response bodies (repository-relative paths, {@link repoPath}
   * makes them absolute), or by an OpenAPI document of its endpoints.
   */
  readonly description:
    | { readonly kind: 'schemas'; readonly requestSchema: string; readonly responseSchema: string }
    | { readonly kind: 'openapi'; readonly document: string };
  /**
   * Where the data subject's id is, for auditors' searches: a JSON pointer
   * into the request body, or `path:registerNumber` for a path parameter.
   */
  readonly dataSubjectPointer: string;
  /**
   * The path of the service on the agency's backend, to append to the
   * backend's origin for the security server's `backendUrl`, e.g.
   * `http://127.0.0.1:5101/person` (the backend answers `POST` there), or
   * `''` for a REST API at the backend's root.
   */
  readonly backendPath: string;
}

/** The schema files of a single-schema service. @throws Error for a service described by OpenAPI */
export function schemaFilesOf(service: DemoService): { requestSchema: string; responseSchema: string } {
  if (service.description.kind !== 'schemas') throw new Error(`${service.id} is described by OpenAPI`);
  return service.description;
}

/** The keys of {@link AGENCIES}. */
export type AgencyKey = 'civilRegistry' | 'tax' | 'socialInsurance' | 'eServices';

/** A member of the demo instance with its one subsystem. */
export interface DemoAgency {
  readonly key: AgencyKey;
  /** Member class: every demo agency is a government body. */
  readonly memberClass: 'GOV';
  /** Member code, the agency's state register number. */
  readonly memberCode: string;
  /** `INSTANCE/CLASS/CODE`, e.g. `MN/GOV/9011311`. */
  readonly memberId: string;
  /** The member's name as registered, in Mongolian. */
  readonly name: string;
  /** The name in English, for READMEs and logs read abroad. */
  readonly nameEn: string;
  /** The subsystem's code, e.g. `civil-registry`. */
  readonly subsystemCode: string;
  /** `INSTANCE/CLASS/CODE/SUBSYSTEM`, the client id its systems call with. */
  readonly subsystemId: string;
  /** What it provides; empty for a consumer only. */
  readonly services: readonly DemoService[];
}

const SCHEMAS = 'schemas/services';
const SUBJECT = '/registerNumber';
/** The register number in the path of the civil registry's REST API (`/persons/{registerNumber}`). */
const PATH_SUBJECT = 'path:registerNumber';

function agency(
  key: AgencyKey,
  memberCode: string,
  name: string,
  nameEn: string,
  subsystemCode: string,
  services: readonly { code: string; title: string; openapi?: boolean }[],
): DemoAgency {
  const memberId = `${INSTANCE}/GOV/${memberCode}`;
  const subsystemId = `${memberId}/${subsystemCode}`;
  return {
    key,
    memberClass: 'GOV',
    memberCode,
    memberId,
    name,
    nameEn,
    subsystemCode,
    subsystemId,
    services: services.map(({ code, title, openapi }) => ({
      code,
      id: `${subsystemId}/${code}`,
      version: 'v1',
      title,
      ...(openapi === true
        ? {
            description: { kind: 'openapi', document: `${SCHEMAS}/${subsystemCode}/${code}.openapi.yaml` },
            dataSubjectPointer: PATH_SUBJECT,
            backendPath: '',
          }
        : {
            description: {
              kind: 'schemas',
              requestSchema: `${SCHEMAS}/${subsystemCode}/${code}.request.schema.json`,
              responseSchema: `${SCHEMAS}/${subsystemCode}/${code}.response.schema.json`,
            },
            dataSubjectPointer: SUBJECT,
            backendPath: `/${code}`,
          }),
    })),
  };
}

/** Улсын бүртгэлийн ерөнхий газар: citizens by register number. */
export const CIVIL_REGISTRY: DemoAgency = agency(
  'civilRegistry',
  '9011311',
  'Улсын бүртгэлийн ерөнхий газар',
  'General Authority for State Registration',
  'civil-registry',
  [
    { code: 'person', title: 'Иргэний мэдээлэл' },
    { code: 'records', title: 'Иргэний бүртгэл (REST)', openapi: true },
  ],
);

/** Татварын ерөнхий газар: a citizen's standing as a taxpayer. */
export const TAX_AUTHORITY: DemoAgency = agency(
  'tax',
  '9016004',
  'Татварын ерөнхий газар',
  'General Department of Taxation',
  'tax',
  [{ code: 'taxpayer-status', title: 'Татвар төлөгчийн төлөв' }],
);

/** Нийгмийн даатгалын ерөнхий газар: a citizen's contribution history. */
export const SOCIAL_INSURANCE: DemoAgency = agency(
  'socialInsurance',
  '9017007',
  'Нийгмийн даатгалын ерөнхий газар',
  'General Office of Social Insurance',
  'social-insurance',
  [{ code: 'contributions', title: 'Нийгмийн даатгалын шимтгэлийн түүх' }],
);

/** Цахим үндэстэн (E-Mongolia), the citizens' e-services portal: a consumer only, no backend. */
export const E_SERVICES: DemoAgency = agency(
  'eServices',
  '7000001',
  'Цахим үндэстэн (E-Mongolia)',
  'E-Mongolia, the e-services portal',
  'e-services',
  [],
);

/** Every agency of the demo network, providers first. */
export const AGENCIES: Readonly<Record<AgencyKey, DemoAgency>> = {
  civilRegistry: CIVIL_REGISTRY,
  tax: TAX_AUTHORITY,
  socialInsurance: SOCIAL_INSURANCE,
  eServices: E_SERVICES,
};

/** The three agencies that provide a service (and run a backend). */
export const PROVIDERS: readonly DemoAgency[] = [CIVIL_REGISTRY, TAX_AUTHORITY, SOCIAL_INSURANCE];

/** Every service of the demo network. */
export const SERVICES: readonly DemoService[] = PROVIDERS.flatMap((provider) => provider.services);

/** The `n`th service of a provider (the civil registry has two, the others one each). */
function nth(provider: DemoAgency, n = 0): DemoService {
  const service = provider.services[n];
  if (service === undefined) throw new Error(`${provider.subsystemId} has no service ${n}`);
  return service;
}

/** `civil-registry/person`: a citizen by register number, the single-schema (RPC) form. */
export const PERSON_SERVICE: DemoService = nth(CIVIL_REGISTRY);
/**
 * `civil-registry/records`: the civil registry's REST API, described by
 * OpenAPI: `GET /persons/{registerNumber}`, `GET
 * /persons/{registerNumber}/addresses`, `POST /certificates`.
 */
export const RECORDS_SERVICE: DemoService = nth(CIVIL_REGISTRY, 1);
/** `tax/taxpayer-status`. */
export const TAXPAYER_STATUS_SERVICE: DemoService = nth(TAX_AUTHORITY);
/** `social-insurance/contributions`. */
export const CONTRIBUTIONS_SERVICE: DemoService = nth(SOCIAL_INSURANCE);

/** An access right: `client` (a subsystem id) may call `service` (a service id). */
export interface DemoAccessRight {
  readonly service: string;
  readonly client: string;
}

/**
 * Who may call what. The portal may call every service; the tax authority
 * and the social insurance office may look citizens up in the civil
 * registry. Anything else is refused, see {@link DENIED_CALL}.
 */
export const ACCESS_RIGHTS: readonly DemoAccessRight[] = [
  ...SERVICES.map((service) => ({ service: service.id, client: E_SERVICES.subsystemId })),
  { service: PERSON_SERVICE.id, client: TAX_AUTHORITY.subsystemId },
  { service: PERSON_SERVICE.id, client: SOCIAL_INSURANCE.subsystemId },
  { service: RECORDS_SERVICE.id, client: TAX_AUTHORITY.subsystemId },
  { service: RECORDS_SERVICE.id, client: SOCIAL_INSURANCE.subsystemId },
];

/** A call no access right allows, for the tour's denied request: the tax authority reading contributions. */
export const DENIED_CALL: DemoAccessRight = {
  service: CONTRIBUTIONS_SERVICE.id,
  client: TAX_AUTHORITY.subsystemId,
};
