import { useConsole } from '../lib/context';
import { stackBuckets, type TrafficSeries } from '../lib/chart';
import type { MessageKey } from '../lib/messages';

/** The chart's series, drawn bottom to top, each with its colour (a 3:1 contrast on white at least). */
export const SERIES: readonly { event: string; label: MessageKey; colour: string }[] = [
  { event: 'delivered', label: 'event.delivered', colour: '#1a7f37' },
  { event: 'accepted', label: 'event.accepted', colour: '#0b5cad' },
  { event: 'retrying', label: 'event.retrying', colour: '#9a6700' },
  { event: 'rejected', label: 'event.rejected', colour: '#b35900' },
  { event: 'dead-lettered', label: 'event.dead-lettered', colour: '#c62828' },
];

const WIDTH = 720;
const HEIGHT = 220;
const LEFT = 40;
const BOTTOM = 24;

/**
 * The last hour's messages per five minutes as stacked bars, one colour per
 * event, with a legend giving each event's total; the same figures are in a
 * table beside it for those who would rather read.
 */
export function TrafficChart(props: { from: string; bucketSeconds: number; events: TrafficSeries }) {
  const { t, num, date } = useConsole();
  const order = SERIES.map((series) => series.event);
  const { stacks, max } = stackBuckets(props.events, order);
  const plotHeight = HEIGHT - BOTTOM - 10;
  const barWidth = (WIDTH - LEFT) / Math.max(1, stacks.length);
  const start = Date.parse(props.from);
  const timeOf = (index: number) =>
    date(new Date(start + index * props.bucketSeconds * 1000)).replace(/^.* (\d\d:\d\d):\d\d.*$/, '$1');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="traffic-title">
        <title id="traffic-title">{t('overview.trafficChart')}</title>
        {(max % 2 === 0 ? [0, 0.5, 1] : [0, 1]).map((share) => {
          const y = 10 + plotHeight * (1 - share);
          return (
            <g key={share}>
              <line x1={LEFT} x2={WIDTH} y1={y} y2={y} stroke="#d0d7de" />
              <text x={LEFT - 6} y={y + 4} text-anchor="end" font-size="11" fill="#424a53">
                {num(Math.round(max * share))}
              </text>
            </g>
          );
        })}
        {stacks.map((stack, index) => (
          <g key={index}>
            {stack.map((segment) => {
              const colour = SERIES.find((series) => series.event === segment.event)?.colour ?? '#57606a';
              const y = 10 + plotHeight * (1 - segment.top / max);
              const h = (plotHeight * (segment.top - segment.bottom)) / max;
              return (
                <rect
                  key={segment.event}
                  x={LEFT + index * barWidth + 3}
                  y={y}
                  width={barWidth - 6}
                  height={h}
                  fill={colour}
                />
              );
            })}
            {index % 2 === 0 ? (
              <text
                x={LEFT + index * barWidth + barWidth / 2}
                y={HEIGHT - 6}
                text-anchor="middle"
                font-size="11"
                fill="#424a53"
              >
                {timeOf(index)}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <figcaption>
        <ul class="legend">
          {SERIES.map((series) => (
            <li key={series.event}>
              <svg width="12" height="12" aria-hidden="true" focusable="false">
                <rect width="12" height="12" fill={series.colour} />
              </svg>{' '}
              {t(series.label)}:{' '}
              <strong>{num((props.events[series.event] ?? []).reduce((a, b) => a + b, 0))}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
