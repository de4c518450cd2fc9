import { withTimeout } from './with-timeout';

/** One thing a process needs to do its work: it passes when `run` resolves. */
export interface ReadinessCheck {
  /** Named in the answer, e.g. `redis`. */
  readonly name: string;
  /** Resolves when ready; throws, with a short reason, when not. */
  run(): Promise<void>;
}

/** How one check went. */
export interface CheckResult {
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
  /** Why it failed: a short reason, never a secret. */
  readonly error?: string;
}

/** The answer of `GET /readyz`. */
export interface Readiness {
  readonly status: 'ready' | 'unavailable';
  /** The names of the checks that failed, in the order the checks are listed. */
  readonly failing: string[];
  readonly checks: Record<string, CheckResult>;
}

/** Options of {@link ReadinessChecker}. */
export interface ReadinessCheckerOptions {
  /**
   * Longest one check may take before it counts as failed: a probe must
   * answer within the prober's own timeout.
   * @defaultValue {@link DEFAULT_READINESS_TIMEOUT_MS}
   */
  readonly timeoutMs?: number;
}

/** Default of {@link ReadinessCheckerOptions.timeoutMs}. */
export const DEFAULT_READINESS_TIMEOUT_MS = 2000;

/** The message of a failure and of its cause, without stacks. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { cause } = error;
  return cause instanceof Error && cause.message !== ''
    ? `${error.message}: ${cause.message}`
    : error.message;
}

/**
 * Runs a process's readiness checks, all at once, each within its timeout,
 * every time it is asked (probes come every few seconds; the checks are a
 * round trip each). Never throws: a check that fails is named in the answer.
 */
export class ReadinessChecker {
  readonly #checks: readonly ReadinessCheck[];
  readonly #timeoutMs: number;

  constructor(checks: readonly ReadinessCheck[], options: ReadinessCheckerOptions = {}) {
    this.#checks = checks;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  }

  /** Runs every check. */
  async check(): Promise<Readiness> {
    const results = await Promise.all(
      this.#checks.map(async (check): Promise<CheckResult> => {
        const started = performance.now();
        const durationMs = () => Math.round((performance.now() - started) * 10) / 10;
        try {
          await withTimeout(check.run(), this.#timeoutMs, check.name);
          return { status: 'ok', durationMs: durationMs() };
        } catch (error) {
          return { status: 'failed', durationMs: durationMs(), error: reasonOf(error) };
        }
      }),
    );
    const checks: Record<string, CheckResult> = {};
    const failing: string[] = [];
    this.#checks.forEach((check, index) => {
      const result = results[index] as CheckResult;
      checks[check.name] = result;
      if (result.status === 'failed') failing.push(check.name);
    });
    return { status: failing.length === 0 ? 'ready' : 'unavailable', failing, checks };
  }
}
