import {
  CONTRIBUTION_PERCENT,
  EMPLOYMENT,
  FIRST_MONTH,
  LAST_MONTH,
  contributionHistory,
} from '../../../scripts/demo/backends';
import { nextMonth } from '../../../scripts/demo/backends/contribution-records';

describe('nextMonth', () => {
  it('counts months and turns the year', () => {
    expect(nextMonth('2024-01')).toBe('2024-02');
    expect(nextMonth('2024-09')).toBe('2024-10');
    expect(nextMonth('2023-12')).toBe('2024-01');
  });
});

describe('contributionHistory', () => {
  it('gives one entry per month of each spell, at the contribution rate of the wage', () => {
    const history = contributionHistory('УБ99010112');
    expect(history?.registerNumber).toBe('УБ99010112');
    const months = history?.contributions.map((entry) => entry.month) ?? [];
    // Eight months at the first employer, none in September 2023, fifteen at the next.
    expect(months).toHaveLength(8 + 15);
    expect(months).not.toContain('2023-09');
    expect(months[0]).toBe(FIRST_MONTH);
    expect(months.at(-1)).toBe(LAST_MONTH);
    expect(history?.contributions[0]).toEqual({
      month: '2023-01',
      employer: 'Хөх Тэнгэр Дата ХХК',
      employerRegister: '6123405',
      amount: (1_800_000 * CONTRIBUTION_PERCENT) / 100,
      currency: 'MNT',
    });
  });

  it('keeps to the range asked for, both ends included', () => {
    const history = contributionHistory('ЧБ85062346', '2023-11', '2024-02');
    expect(history?.contributions.map(({ month, amount }) => [month, amount])).toEqual([
      ['2023-11', 504_000],
      ['2023-12', 504_000],
      ['2024-01', 552_000],
      ['2024-02', 552_000],
    ]);
  });

  it('orders two employers of one month by their register numbers', () => {
    const history = contributionHistory('ЕЮ90120953', '2024-06', '2024-06');
    expect(history?.contributions.map((entry) => entry.employerRegister)).toEqual(['4410256', '4470915']);
  });

  it('gives an empty list for an empty range, and nothing for someone never insured', () => {
    expect(contributionHistory('ИЕ03251578', '2023-01', '2024-05')?.contributions).toEqual([]);
    expect(contributionHistory('УБ99010112', '2024-05', '2024-01')?.contributions).toEqual([]);
    expect(contributionHistory('ЖЧ88123145')).toBeUndefined();
    // Not fooled by what every object has.
    expect(contributionHistory('constructor')).toBeUndefined();
  });

  it('keeps every spell within the months on record, with whole contributions', () => {
    for (const spells of Object.values(EMPLOYMENT)) {
      for (const spell of spells) {
        expect(spell.from >= FIRST_MONTH && spell.to <= LAST_MONTH && spell.from <= spell.to).toBe(true);
        expect(Number.isInteger((spell.monthlyWage * CONTRIBUTION_PERCENT) / 100)).toBe(true);
      }
    }
  });

  it('is the same on every call', () => {
    expect(contributionHistory('ФА72110824')).toEqual(contributionHistory('ФА72110824'));
  });
});
