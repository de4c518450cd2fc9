import { ReadinessChecker } from '../../../core/src';
import { securityServerReadinessChecks } from '../../../security-server/src/readiness';

/** The clock check of a security server's readiness, with the other checks' parts left out. */
async function clockCheck(clockSkewMs: number | undefined, maxClockSkewMs = 120_000) {
  const [check] = securityServerReadinessChecks({
    store: undefined as never,
    conf: undefined as never,
    identity: undefined as never,
    authCertificate: undefined as never,
    clock: () => new Date(),
    skew: { clockSkewMs, maxClockSkewMs },
  }).filter((candidate) => candidate.name === 'clock');
  return new ReadinessChecker([check!]).check();
}

describe("a security server's readiness and its clock", () => {
  it('is ready while the skew to the gateway is within the tolerance, or not measured yet', async () => {
    expect((await clockCheck(undefined)).status).toBe('ready');
    expect((await clockCheck(-120_000)).status).toBe('ready');
  });

  it('is not ready when its clock is further off, saying how far and which way', async () => {
    const report = await clockCheck(-400_000);
    expect(report.status).toBe('unavailable');
    expect(report.checks.clock).toMatchObject({
      status: 'failed',
      error: "clock is 400 s behind the gateway's; 120 s tolerated",
    });
  });
});
