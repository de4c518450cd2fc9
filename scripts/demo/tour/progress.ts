/**
 * How the tour shows its progress, on stderr: one bar over the planned calls
 * in a terminal (cli-progress), plain lines elsewhere, so CI logs read well.
 * Either way, a call that did not come to what was expected is shown at once.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { describeCall, mismatchLine, outcomeLabel, type CallResult } from './outcome';

/** What the tour tells its progress display. */
export interface TourProgress {
  /** The calls are about to begin. */
  start(total: number): void;
  /** A call has ended. */
  update(result: CallResult): void;
  /** A line for the reader between calls: a part of the day begins, the outage. */
  note(text: string): void;
  /** Done: the display ends (the summary follows on stdout). */
  stop(): void;
}

/** A stream the display writes to; `isTTY` decides between the bar and lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** `[ 12/92] #012 09:41 tax → civil-registry/person УБ99010112 async → 200 ok (35 ms)`. */
export function progressLine(done: number, total: number, result: CallResult): string {
  const width = String(total).length;
  const count = `[${String(done).padStart(width)}/${total}]`;
  const verdict = result.problems.length === 0 ? 'ok' : `MISMATCH: ${result.problems.join('; ')}`;
  const time = `${Math.round(result.observed.ms)} ms`;
  return `${count} ${describeCall(result.call)} → ${outcomeLabel(result.observed)} ${verdict} (${time})`;
}

/** Plain lines, one per call: for logs and pipes. */
export class LineProgress implements TourProgress {
  readonly #stream: ProgressStream;
  #done = 0;
  #total = 0;

  constructor(stream: ProgressStream) {
    this.#stream = stream;
  }

  start(total: number): void {
    this.#total = total;
    this.#done = 0;
  }

  update(result: CallResult): void {
    this.#done += 1;
    this.#stream.write(`${progressLine(this.#done, this.#total, result)}\n`);
  }

  note(text: string): void {
    this.#stream.write(`${text}\n`);
  }

  stop(): void {}
}

/** One bar over the planned calls, with the last call beside it; notes and mismatches above it. */
export class BarProgress implements TourProgress {
  readonly #multi: MultiBar;
  #bar: SingleBar | undefined;

  constructor(stream: ProgressStream & NodeJS.WritableStream) {
    this.#multi = new MultiBar(
      {
        stream,
        format: ' {bar} {value}/{total} calls | {last}',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
      },
      Presets.shades_classic,
    );
  }

  start(total: number): void {
    this.#bar = this.#multi.create(total, 0, { last: '' });
  }

  update(result: CallResult): void {
    this.#bar?.increment(1, { last: `${describeCall(result.call)} → ${outcomeLabel(result.observed)}` });
    if (result.problems.length > 0) this.#multi.log(`MISMATCH ${mismatchLine(result)}\n`);
  }

  note(text: string): void {
    this.#multi.log(`${text}\n`);
  }

  stop(): void {
    // A last render writes the notes still buffered; stop() alone would drop them.
    this.#multi.update();
    this.#multi.stop();
  }
}

/** The bar when `stream` is a terminal, else plain lines. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): TourProgress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}
