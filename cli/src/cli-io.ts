/** Somewhere the CLI writes text: `process.stdout`, or a buffer in a test. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * The outside world of one CLI run, passed in so that a test can run the
 * program in-process with captured output, its own environment and a fake
 * network.
 */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Where `ORTOO_URL`, `ORTOO_TOKEN` and the gateway's configuration are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** @defaultValue the global `fetch` */
  readonly fetch?: typeof fetch;
}
