/**
 * The demo network's control endpoint (the network process, 127.0.0.1
 * only): how the tour stages a provider's outage.
 */
import type { AgencyKey } from '../demo-data';
import { field, httpRequest, loopbackUrl } from './http';

/** An outage the network has begun. */
export interface StartedOutage {
  /** When the backend comes back, as the network process reckons it. */
  readonly until: Date;
}

/**
 * `POST <control>/outage {agency, seconds}`: the agency's backend stops at
 * once (connections refused) and comes back after `seconds`.
 *
 * @throws Error when the network does not answer 202 with `until`.
 */
export async function startOutage(
  control: string,
  agency: AgencyKey,
  seconds: number,
  signal: AbortSignal,
): Promise<StartedOutage> {
  const answer = await httpRequest(
    {
      method: 'POST',
      url: `${loopbackUrl(control, 'the control endpoint')}/outage`,
      headers: { 'Content-Type': 'application/json' },
      body: { agency, seconds },
    },
    signal,
  );
  const until = field(answer.json, 'until');
  const time = typeof until === 'string' ? new Date(until) : undefined;
  if (answer.status !== 202 || time === undefined || Number.isNaN(time.getTime())) {
    throw new Error(
      `the control endpoint answered ${answer.status} ${answer.text.slice(0, 200)}, not 202 {until}`,
    );
  }
  return { until: time };
}
