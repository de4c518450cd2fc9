import { useEffect, useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { TrafficChart } from '../components/traffic-chart';
import { Badge, EmptyRow, ErrorBanner, Link, PageHeader } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';

type Overview = components['schemas']['Overview'];

/** The network at a glance: counts, expiring certificates, configuration age, traffic, queues. */
export function OverviewPage() {
  const { t, num, date, session } = useConsole();
  const [overview, setOverview] = useState<Overview | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const load = () => {
    call(api.GET('/v1/overview')).then(setOverview, setError);
  };
  useEffect(load, []);
  const admin = session.role === 'admin';
  return (
    <section>
      <PageHeader title={t('overview.title')}>
        <button type="button" class="secondary" onClick={load}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <ErrorBanner error={error} />
      {overview === undefined ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <>
          <div class="cards">
            <Count
              label={t('overview.members')}
              value={num(overview.counts.members)}
              to={admin ? '/registry?tab=members' : undefined}
            />
            <Count
              label={t('overview.subsystems')}
              value={num(overview.counts.subsystems)}
              to={admin ? '/registry?tab=subsystems' : undefined}
            />
            <Count
              label={t('overview.servers')}
              value={num(overview.counts.securityServers)}
              to={admin ? '/registry?tab=servers' : undefined}
            />
            <Count
              label={t('overview.services')}
              value={num(overview.counts.services)}
              note={t('overview.versions', { count: num(overview.counts.serviceVersions) })}
              to={admin ? '/registry?tab=services' : undefined}
            />
          </div>
          <div class="grid-2">
            <section class="card" aria-labelledby="traffic-heading">
              <h2 id="traffic-heading">{t('overview.traffic')}</h2>
              <TrafficChart
                from={overview.traffic.from}
                bucketSeconds={overview.traffic.bucketSeconds}
                events={overview.traffic.events}
              />
            </section>
            <section class="card" aria-labelledby="conf-heading">
              <h2 id="conf-heading">{t('overview.globalConf')}</h2>
              {overview.globalConf === null ? (
                <p>
                  <Badge tone="bad">{t('overview.globalConfMissing')}</Badge>
                </p>
              ) : (
                <p>
                  <Badge tone={overview.globalConf.ageSeconds < 600 ? 'ok' : 'warn'}>
                    v{overview.globalConf.version}
                  </Badge>{' '}
                  {t('overview.globalConfAge', {
                    age: num(overview.globalConf.ageSeconds),
                    version: overview.globalConf.version,
                    expires: date(overview.globalConf.expiresAt),
                  })}
                </p>
              )}
              <h2 id="expiring-heading">{t('overview.expiring')}</h2>
              {overview.expiringCertificates.length === 0 ? (
                <p class="muted">{t('overview.expiringNone')}</p>
              ) : (
                <div class="table-wrap">
                  <table aria-labelledby="expiring-heading">
                    <thead>
                      <tr>
                        <th scope="col">{t('col.server')}</th>
                        <th scope="col">{t('col.kind')}</th>
                        <th scope="col">{t('col.notAfter')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {overview.expiringCertificates.map((certificate) => (
                        <tr key={certificate.serial}>
                          <td>{certificate.securityServerId ?? certificate.memberId}</td>
                          <td>{certificate.kind}</td>
                          <td>{date(certificate.notAfter)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </div>
          <section class="card" aria-labelledby="queues-heading">
            <h2 id="queues-heading">{t('overview.queues')}</h2>
            {overview.queues === null ? (
              <p class="muted">{t('overview.queuesUnavailable')}</p>
            ) : (
              <div class="table-wrap">
                <table aria-labelledby="queues-heading">
                  <thead>
                    <tr>
                      <th scope="col">{t('overview.server')}</th>
                      <th scope="col" class="num">
                        {t('overview.waiting')}
                      </th>
                      <th scope="col" class="num">
                        {t('overview.activeJobs')}
                      </th>
                      <th scope="col" class="num">
                        {t('overview.delayed')}
                      </th>
                      <th scope="col" class="num">
                        {t('overview.deadLetters')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(overview.queues).map(([server, depth]) => (
                      <tr key={server}>
                        <td>{server}</td>
                        <td class="num">{num(depth.waiting)}</td>
                        <td class="num">{num(depth.active)}</td>
                        <td class="num">{num(depth.delayed)}</td>
                        <td class="num">
                          {depth.failed > 0 ? (
                            admin ? (
                              <Link to="/dead-letters">
                                <Badge tone="bad">{num(depth.failed)}</Badge>
                              </Link>
                            ) : (
                              <Badge tone="bad">{num(depth.failed)}</Badge>
                            )
                          ) : (
                            num(0)
                          )}
                        </td>
                      </tr>
                    ))}
                    {Object.keys(overview.queues).length === 0 ? <EmptyRow colSpan={5} /> : null}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function Count(props: { label: string; value: string; note?: string; to?: string | undefined }) {
  const body = (
    <>
      <span class="count-value">{props.value}</span>
      <span class="count-label">{props.label}</span>
      {props.note === undefined ? null : <span class="count-note">{props.note}</span>}
    </>
  );
  return (
    <div class="card count">
      {props.to === undefined ? (
        body
      ) : (
        <Link to={props.to} class="count-link">
          {body}
        </Link>
      )}
    </div>
  );
}
