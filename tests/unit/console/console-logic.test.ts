import { auditQueryOf, downloadNameOf } from '../../../console/src/lib/audit-query';
import { niceCeiling, stackBuckets } from '../../../console/src/lib/chart';
import { idParts, SERVER, SERVICE } from '../../../console/src/lib/ids';
import { verifySlices } from '../../../console/src/lib/verify-plan';
import { pageOf, PAGES } from '../../../console/src/pages';

describe('the pages of the console', () => {
  it('shows an auditor only the pages an auditor may use, and an administrator no audit page', () => {
    const of = (role: 'admin' | 'auditor') =>
      PAGES.filter((page) => page.roles.includes(role)).map((page) => page.path);
    expect(of('auditor')).toEqual(['/', '/audit', '/verify', '/usage', '/changes']);
    expect(of('admin')).toEqual(['/', '/registrations', '/registry', '/dead-letters', '/changes']);
  });

  it('finds the page of a path below it, and none for an unknown path', () => {
    expect(pageOf('/audit/messages/abc')?.path).toBe('/audit');
    expect(pageOf('/')?.path).toBe('/');
    expect(pageOf('/registry')?.path).toBe('/registry');
    expect(pageOf('/registryx')).toBeUndefined();
  });
});

describe('the traffic chart', () => {
  it('stacks the events of each bucket in order, leaving empty ones out', () => {
    const { stacks, max } = stackBuckets({ delivered: [2, 0, 7], rejected: [1, 0, 0] }, [
      'delivered',
      'rejected',
    ]);
    expect(stacks).toEqual([
      [
        { event: 'delivered', bottom: 0, top: 2 },
        { event: 'rejected', bottom: 2, top: 3 },
      ],
      [],
      [{ event: 'delivered', bottom: 0, top: 7 }],
    ]);
    expect(max).toBe(10);
  });

  it('rounds the scale up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 2, 3, 7, 11, 20, 21, 480].map(niceCeiling)).toEqual([1, 1, 2, 5, 10, 20, 20, 50, 500]);
  });
});

describe('verification in slices', () => {
  it('covers the span from the first record to now once, in at most the parts asked', () => {
    const slices = verifySlices(new Date('2025-09-01T00:00:00.500Z'), new Date('2025-09-01T08:00:00Z'), 8);
    expect(slices).toHaveLength(8);
    expect(slices[0]?.from).toBe('2025-09-01T00:00:00.000Z');
    expect(slices.at(-1)?.to).toBe('2025-09-01T08:00:01.000Z');
    for (let i = 1; i < slices.length; i += 1) expect(slices[i]?.from).toBe(slices[i - 1]?.to);
  });

  it('makes one slice of a log younger than a second', () => {
    const now = new Date('2025-09-01T00:00:00.900Z');
    expect(verifySlices(new Date('2025-09-01T00:00:00.100Z'), now, 8)).toEqual([
      { from: '2025-09-01T00:00:00.000Z', to: '2025-09-01T00:00:01.000Z' },
    ]);
  });
});

describe("the auditor's search", () => {
  it('sends only the filters given, and times as instants', () => {
    expect(
      auditQueryOf(
        { subject: ' УБ99010112 ', client: '', from: '2025-09-01T20:00', to: '' },
        'Asia/Ulaanbaatar',
      ),
    ).toEqual({ subject: 'УБ99010112', from: '2025-09-01T12:00:00.000Z' });
  });

  it('saves an export under the name the gateway proposes', () => {
    expect(downloadNameOf('attachment; filename="audit-evidence-2025.jose.json"', 'x')).toBe(
      'audit-evidence-2025.jose.json',
    );
    expect(downloadNameOf(null, 'fallback.json')).toBe('fallback.json');
  });
});

describe("identifiers as the API's path parameters", () => {
  it('splits an identifier into the named parts', () => {
    expect(idParts('MN/GOV/9011311/ss1', SERVER)).toEqual({
      instance: 'MN',
      memberClass: 'GOV',
      memberCode: '9011311',
      serverCode: 'ss1',
    });
    expect(idParts('MN/GOV/9011311/civil-registry/person', SERVICE)).toMatchObject({
      subsystemCode: 'civil-registry',
      serviceCode: 'person',
    });
  });
});
