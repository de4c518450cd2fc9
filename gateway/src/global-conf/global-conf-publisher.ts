import {
  type GlobalConfAuditLog,
  sha256,
  signGlobalConf,
  type GlobalConf,
  type GlobalConfAuthCertificate,
  type JwsSigner,
  type Logger,
  type SqlStore,
} from '../../../core/src';
import { registryVersion } from '../registry/registry-version';
import { buildGlobalConf } from './build-global-conf';
import { loadRegistrySnapshot } from './load-registry-snapshot';

/** A signed global configuration, ready to send. */
export interface PublishedGlobalConf {
  /** The JSON text of the flattened JWS, as sent. */
  readonly body: string;
  /** Strong ETag, quoted: the SHA-256 of `body`. */
  readonly etag: string;
  /** Registry version it was built from. */
  readonly version: number;
  readonly generatedAt: Date;
  readonly expiresAt: Date;
  /** The document itself, for the gateway's own routing. */
  readonly conf: GlobalConf;
}

/** Options of {@link GlobalConfPublisher}. */
export interface GlobalConfPublisherOptions {
  readonly store: SqlStore;
  /** The configuration-signing key. */
  readonly signer: JwsSigner;
  readonly instance: string;
  /** How long each document stays valid. */
  readonly validitySeconds: number;
  /** PEM of the instance CA certificates, carried in every document. */
  readonly caCertificates: readonly string[];
  /** The gateway's TLS certificates, carried in every document. */
  readonly gatewayCertificates: readonly GlobalConfAuthCertificate[];
  /** The audit log's origin and verifier key, carried in every document. @defaultValue none */
  readonly auditLog?: GlobalConfAuditLog;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/**
 * Signs a document into the text sent and its strong ETag (quoted SHA-256 of
 * that text).
 */
export function signForWire(conf: GlobalConf, signer: JwsSigner): { body: string; etag: string } {
  const signed = signGlobalConf(conf, signer);
  // All three members are base64url, which JSON carries unescaped: the same text as
  // JSON.stringify gives, without scanning megabytes for characters to escape.
  const body = `{"payload":"${signed.payload}","protected":"${signed.protected}","signature":"${signed.signature}"}`;
  return { body, etag: `"${sha256(body)}"` };
}

interface Held extends PublishedGlobalConf {
  /** When it is rebuilt even without a change: half its validity, so clients never hold a copy near expiry. */
  readonly rebuildAt: number;
}

/**
 * Keeps the last signed global configuration and rebuilds it only when the
 * registry changed (`registry_state.version`, read on every request: one
 * indexed row) or half its validity has passed. A change committed before a
 * request is in the answer to that request, so a revocation is visible at
 * once. Concurrent requests share one rebuild.
 */
export class GlobalConfPublisher {
  readonly #options: GlobalConfPublisherOptions;
  #held: Held | undefined;
  #building: Promise<Held> | undefined;
  #changeHint = 0;

  constructor(options: GlobalConfPublisherOptions) {
    this.#options = options;
  }

  /**
   * Grows each time {@link GlobalConfPublisher.noteChange} is called: readers
   * that cache the document between version checks (the router) look here to
   * see a change made through this process at once.
   */
  get changeHint(): number {
    return this.#changeHint;
  }

  /** Tells readers that the registry may just have changed (an admin write succeeded). */
  noteChange(): void {
    this.#changeHint += 1;
  }

  /** The current signed document, rebuilt first when it is out of date. */
  async current(): Promise<PublishedGlobalConf> {
    const version = await registryVersion(this.#options.store);
    const held = this.#held;
    if (held !== undefined && held.version === version && this.#options.clock().getTime() < held.rebuildAt) {
      return held;
    }
    const built = await this.#rebuild();
    // A rebuild joined may have read the registry before the change this request saw.
    return built.version < version ? this.#rebuild() : built;
  }

  #rebuild(): Promise<Held> {
    this.#building ??= this.#build().finally(() => {
      this.#building = undefined;
    });
    return this.#building;
  }

  async #build(): Promise<Held> {
    const {
      store,
      signer,
      instance,
      validitySeconds,
      caCertificates,
      gatewayCertificates,
      auditLog,
      clock,
      logger,
    } = this.#options;
    const started = performance.now();
    const snapshot = await loadRegistrySnapshot(store);
    const now = clock();
    const conf = buildGlobalConf(snapshot, {
      instance,
      now,
      validitySeconds,
      caCertificates,
      gatewayCertificates,
      ...(auditLog === undefined ? {} : { auditLog }),
    });
    const { body, etag } = signForWire(conf, signer);
    const held: Held = {
      body,
      etag,
      version: conf.version,
      generatedAt: now,
      expiresAt: new Date(conf.expiresAt),
      conf,
      rebuildAt: now.getTime() + (validitySeconds * 1000) / 2,
    };
    // Never go back to an older registry version than one already published.
    if (this.#held === undefined || held.version >= this.#held.version) this.#held = held;
    logger.info('global configuration signed', {
      version: held.version,
      bytes: body.length,
      ms: Math.round(performance.now() - started),
    });
    return held;
  }
}
