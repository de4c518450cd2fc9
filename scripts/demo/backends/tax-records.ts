/**
 * The tax authority's records of the demo's citizens (see `CITIZENS` in
 * `../demo-data.ts`): one taxpayer each, in every standing the service can
 * answer with. Made up, and fixed.
 */

/** A taxpayer's standing: registered and in good standing, suspended, or no longer a taxpayer. */
export type TaxpayerStatusCode = 'active' | 'suspended' | 'deregistered';

/** Amount of money in whole tögrög. */
export interface Money {
  readonly amount: number;
  readonly currency: 'MNT';
}

/**
 * A citizen's standing with the tax authority: the body of
 * `tax/taxpayer-status` (`schemas/services/tax/taxpayer-status.response.schema.json`).
 */
export interface TaxpayerStatus {
  readonly registerNumber: string;
  /** Татвар төлөгчийн дугаар (ТТД): eleven digits. */
  readonly taxpayerNumber: string;
  readonly status: TaxpayerStatusCode;
  /** `YYYY-MM-DD`. */
  readonly registeredAt: string;
  /** The tax office the taxpayer belongs to. */
  readonly taxOffice: string;
  /** Tax owed and overdue. */
  readonly arrears: Money;
}

function mnt(amount: number): Money {
  return { amount, currency: 'MNT' };
}

/** Every taxpayer of the demo, by register number. */
export const TAXPAYERS: readonly TaxpayerStatus[] = [
  {
    registerNumber: 'УБ99010112',
    taxpayerNumber: '20994011203',
    status: 'active',
    registeredAt: '2017-02-14',
    taxOffice: 'Сүхбаатар дүүргийн татварын хэлтэс',
    arrears: mnt(0),
  },
  {
    registerNumber: 'ЧБ85062346',
    taxpayerNumber: '20856234617',
    status: 'active',
    registeredAt: '2003-07-01',
    taxOffice: 'Дархан-Уул аймгийн татварын хэлтэс',
    arrears: mnt(185_400),
  },
  {
    registerNumber: 'ИЕ03251578',
    taxpayerNumber: '21032515780',
    status: 'active',
    registeredAt: '2021-05-20',
    taxOffice: 'Хан-Уул дүүргийн татварын хэлтэс',
    arrears: mnt(0),
  },
  {
    registerNumber: 'ФА72110824',
    taxpayerNumber: '20721108249',
    status: 'suspended',
    registeredAt: '1994-03-11',
    taxOffice: 'Орхон аймгийн татварын хэлтэс',
    arrears: mnt(2_450_000),
  },
  {
    registerNumber: 'ЕЮ90120953',
    taxpayerNumber: '20901209538',
    status: 'active',
    registeredAt: '2008-12-15',
    taxOffice: 'Хөвсгөл аймгийн татварын хэлтэс',
    arrears: mnt(0),
  },
  {
    registerNumber: 'ТА64030361',
    taxpayerNumber: '20640303610',
    status: 'deregistered',
    registeredAt: '1992-09-01',
    taxOffice: 'Чингэлтэй дүүргийн татварын хэлтэс',
    arrears: mnt(0),
  },
];
