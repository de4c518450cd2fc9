/**
 * The social insurance office's records of the demo's citizens (see
 * `CITIZENS` in `../demo-data.ts`), kept as employment spells from which the
 * monthly contributions follow: one entry per month and employer, at
 * {@link CONTRIBUTION_PERCENT} of the wage. Made up, fixed, and all between
 * {@link FIRST_MONTH} and {@link LAST_MONTH}, so no answer depends on today's date.
 */

/** A month, `YYYY-MM`. */
export type Month = string;

/** The earliest month on record. */
export const FIRST_MONTH: Month = '2023-01';
/** The latest month on record. */
export const LAST_MONTH: Month = '2024-12';

/**
 * Contributions as a share of the wage, employer's and insured person's
 * together, in percent: a round figure for the demo, not the legal rate.
 */
export const CONTRIBUTION_PERCENT = 24;

/** Some months of work for one employer at one monthly wage. */
export interface EmploymentSpell {
  /** Name of the employer, e.g. `Номин Тэнгэр ХХК`. */
  readonly employer: string;
  /** The employer's register number as a legal entity: seven digits. */
  readonly employerRegister: string;
  /** First month, included. */
  readonly from: Month;
  /** Last month, included. */
  readonly to: Month;
  /** Monthly wage in whole tögrög, a multiple of 100 so the contribution is whole too. */
  readonly monthlyWage: number;
}

/** One month's contributions by one employer. */
export interface Contribution {
  readonly month: Month;
  readonly employer: string;
  readonly employerRegister: string;
  /** In whole tögrög. */
  readonly amount: number;
  readonly currency: 'MNT';
}

/**
 * A citizen's contributions, oldest first: the body of
 * `social-insurance/contributions`
 * (`schemas/services/social-insurance/contributions.response.schema.json`).
 */
export interface ContributionHistory {
  readonly registerNumber: string;
  readonly contributions: readonly Contribution[];
}

const NOMIN_TENGER = { employer: 'Номин Тэнгэр ХХК', employerRegister: '5987612' };
const KHUKH_TENGER_DATA = { employer: 'Хөх Тэнгэр Дата ХХК', employerRegister: '6123405' };
const DARKHAN_METAL = { employer: 'Дархан Төмөрлөг ХХК', employerRegister: '2718304' };
const ALTAN_GOVI = { employer: 'Алтан Говь Ложистик ХХК', employerRegister: '6541298' };
const ORKHON_COPPER = { employer: 'Орхон Зэс ХХК', employerRegister: '3054127' };
const KHUVSGUL_DAIRY = { employer: 'Хөвсгөл Сүү ХХК', employerRegister: '4410256' };
const MURUN_TRAVEL = { employer: 'Мөрөн Аялал ХХК', employerRegister: '4470915' };
const KHANGAI_URGUU = { employer: 'Хангай Өргөө ХХК', employerRegister: '2230781' };

/** Every insured citizen's employment, by register number. */
export const EMPLOYMENT: Readonly<Record<string, readonly EmploymentSpell[]>> = {
  // A month between jobs: no entry for 2023-09.
  УБ99010112: [
    { ...KHUKH_TENGER_DATA, from: '2023-01', to: '2023-08', monthlyWage: 1_800_000 },
    { ...NOMIN_TENGER, from: '2023-10', to: '2024-12', monthlyWage: 2_400_000 },
  ],
  // A raise in January 2024.
  ЧБ85062346: [
    { ...DARKHAN_METAL, from: '2023-01', to: '2023-12', monthlyWage: 2_100_000 },
    { ...DARKHAN_METAL, from: '2024-01', to: '2024-12', monthlyWage: 2_300_000 },
  ],
  // A student's summer job.
  ИЕ03251578: [{ ...ALTAN_GOVI, from: '2024-06', to: '2024-08', monthlyWage: 800_000 }],
  ФА72110824: [{ ...ORKHON_COPPER, from: '2023-01', to: '2024-03', monthlyWage: 3_200_000 }],
  // Two employers at once in the summer of 2024.
  ЕЮ90120953: [
    { ...KHUVSGUL_DAIRY, from: '2023-01', to: '2024-12', monthlyWage: 1_200_000 },
    { ...MURUN_TRAVEL, from: '2024-06', to: '2024-09', monthlyWage: 600_000 },
  ],
  // Retired in the middle of 2023.
  ТА64030361: [{ ...KHANGAI_URGUU, from: '2023-01', to: '2023-06', monthlyWage: 1_500_000 }],
};

/** The month after `month`. */
export function nextMonth(month: Month): Month {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, '0')}`;
}

/**
 * The contributions of the citizen with `registerNumber` from `from` to `to`
 * (both included, `YYYY-MM`; everything on record when absent), by month and
 * then employer's register number; undefined for someone never insured.
 * Months compare as text, which `YYYY-MM` allows.
 */
export function contributionHistory(
  registerNumber: string,
  from: Month = FIRST_MONTH,
  to: Month = LAST_MONTH,
): ContributionHistory | undefined {
  if (!Object.hasOwn(EMPLOYMENT, registerNumber)) return undefined;
  const contributions: Contribution[] = [];
  for (const spell of EMPLOYMENT[registerNumber] ?? []) {
    const first = spell.from > from ? spell.from : from;
    const last = spell.to < to ? spell.to : to;
    for (let month = first; month <= last; month = nextMonth(month)) {
      contributions.push({
        month,
        employer: spell.employer,
        employerRegister: spell.employerRegister,
        amount: (spell.monthlyWage * CONTRIBUTION_PERCENT) / 100,
        currency: 'MNT',
      });
    }
  }
  contributions.sort((a, b) =>
    a.month === b.month ? a.employerRegister.localeCompare(b.employerRegister) : a.month < b.month ? -1 : 1,
  );
  return { registerNumber, contributions };
}
