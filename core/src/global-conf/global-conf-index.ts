import type { HttpMethod } from '../envelope/envelope';
import {
  compileEndpoint,
  endpointAllows,
  type CompiledEndpoint,
  type EndpointRule,
  type NormalizedPath,
} from '../exchange/endpoint-pattern';
import { parseCertificate, type Certificate } from '../pki/certificate';
import { RevocationList } from '../pki/revocation-list';
import type {
  GlobalConf,
  GlobalConfMember,
  GlobalConfRevocation,
  GlobalConfSecurityServer,
  GlobalConfService,
  GlobalConfSubsystem,
} from './global-conf';

/** A signing certificate of the configuration, with its certificate parsed (once, on first use). */
export interface IndexedSignCertificate {
  readonly memberId: string;
  readonly securityServerId?: string;
  readonly thumbprint: string;
  readonly certificate: Certificate;
}

/** Orders versions as people read them: `v2` before `v10`. */
const VERSION_ORDER = new Intl.Collator('en', { numeric: true });

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list === undefined) groups.set(key(item), [item]);
    else list.push(item);
  }
  return groups;
}

/**
 * A global configuration indexed for the hot path: every question an
 * exchange asks of it (who signed, which server is calling, which service,
 * may this client call it) is a map lookup. Built once per configuration
 * version, by the gateway from its registry and by a security server from
 * each verified download, so both judge a message by the same rules.
 */
export class GlobalConfIndex {
  readonly conf: GlobalConf;
  /** PEMs of `conf.caCertificates`, parsed. */
  readonly caCertificates: readonly Certificate[];
  /** Revocations of `conf.revokedCertificates`, by serial number. */
  readonly revocations: RevocationList;

  readonly #members: Map<string, GlobalConfMember>;
  readonly #subsystems: Map<string, GlobalConfSubsystem>;
  readonly #servers: Map<string, GlobalConfSecurityServer>;
  readonly #serversByAuth = new Map<string, GlobalConfSecurityServer>();
  readonly #serversByOwner: Map<string, GlobalConfSecurityServer[]>;
  readonly #signConf: Map<string, GlobalConf['signCertificates'][number]>;
  readonly #signParsed = new Map<string, IndexedSignCertificate>();
  readonly #revokedByThumbprint: Map<string, GlobalConfRevocation>;
  /** Versions of each service, the current (highest) first. */
  readonly #services: Map<string, GlobalConfService[]>;
  /** Per service: the clients and groups allowed to call every endpoint of it. */
  readonly #rights = new Map<string, Set<string>>();
  /** Per service, then per client or group: the endpoints it may call, compiled. */
  readonly #endpointRights = new Map<string, Map<string, CompiledEndpoint[]>>();
  /** Per client subsystem: the global groups it is in. */
  readonly #groupsOf = new Map<string, string[]>();

  private constructor(conf: GlobalConf) {
    this.conf = conf;
    this.caCertificates = conf.caCertificates.map((pem) => parseCertificate(pem));
    this.revocations = new RevocationList(
      conf.revokedCertificates.map(({ serial, revokedAt, reason }) => ({
        serialNumber: serial,
        revokedAt: new Date(revokedAt),
        reason,
      })),
    );
    this.#members = new Map(conf.members.map((member) => [member.id, member]));
    this.#subsystems = new Map(conf.subsystems.map((subsystem) => [subsystem.id, subsystem]));
    this.#servers = new Map(conf.securityServers.map((server) => [server.id, server]));
    for (const server of conf.securityServers) {
      if (server.status !== 'active') continue;
      for (const certificate of server.authCertificates)
        this.#serversByAuth.set(certificate.thumbprint, server);
    }
    this.#serversByOwner = groupBy(
      conf.securityServers.filter((server) => server.status === 'active'),
      (server) => server.ownerId,
    );
    for (const servers of this.#serversByOwner.values()) servers.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.#signConf = new Map(conf.signCertificates.map((entry) => [entry.thumbprint, entry]));
    this.#revokedByThumbprint = new Map(conf.revokedCertificates.map((entry) => [entry.thumbprint, entry]));
    this.#services = groupBy(conf.services, (service) => service.id);
    for (const versions of this.#services.values()) {
      versions.sort((a, b) => VERSION_ORDER.compare(b.version, a.version));
    }
    for (const right of conf.accessRights) {
      const holder = 'clientId' in right ? right.clientId : right.groupId;
      if (right.endpoint === undefined) {
        const holders = this.#rights.get(right.serviceId) ?? new Set<string>();
        holders.add(holder);
        this.#rights.set(right.serviceId, holders);
      } else {
        const byHolder = this.#endpointRights.get(right.serviceId) ?? new Map<string, CompiledEndpoint[]>();
        byHolder.set(holder, [...(byHolder.get(holder) ?? []), compileEndpoint(right.endpoint)]);
        this.#endpointRights.set(right.serviceId, byHolder);
      }
    }
    for (const group of conf.groups) {
      for (const member of group.members) {
        const groups = this.#groupsOf.get(member) ?? [];
        groups.push(group.id);
        this.#groupsOf.set(member, groups);
      }
    }
  }

  /** Indexes `conf`; its certificates are parsed here (CAs) or on first use (signers). */
  static from(conf: GlobalConf): GlobalConfIndex {
    return new GlobalConfIndex(conf);
  }

  /** The registry version the configuration was built from. */
  get version(): number {
    return this.conf.version;
  }

  member(id: string): GlobalConfMember | undefined {
    return this.#members.get(id);
  }

  subsystem(id: string): GlobalConfSubsystem | undefined {
    return this.#subsystems.get(id);
  }

  securityServer(id: string): GlobalConfSecurityServer | undefined {
    return this.#servers.get(id);
  }

  /** The active server that presents the TLS certificate with this thumbprint. */
  serverByAuthThumbprint(thumbprint: string): GlobalConfSecurityServer | undefined {
    return this.#serversByAuth.get(thumbprint);
  }

  /** An active signing certificate by its thumbprint, parsed on first use and kept. */
  signCertificate(thumbprint: string): IndexedSignCertificate | undefined {
    const parsed = this.#signParsed.get(thumbprint);
    if (parsed !== undefined) return parsed;
    const entry = this.#signConf.get(thumbprint);
    if (entry === undefined) return undefined;
    const indexed: IndexedSignCertificate = {
      memberId: entry.memberId,
      ...(entry.securityServerId === undefined ? {} : { securityServerId: entry.securityServerId }),
      thumbprint,
      certificate: parseCertificate(entry.pem),
    };
    this.#signParsed.set(thumbprint, indexed);
    return indexed;
  }

  /** The revocation of a certificate named by its thumbprint. */
  revocationOf(thumbprint: string): GlobalConfRevocation | undefined {
    return this.#revokedByThumbprint.get(thumbprint);
  }

  /** One version of a service, or its current (highest) version when `version` is not given. */
  service(id: string, version?: string): GlobalConfService | undefined {
    const versions = this.#services.get(id);
    if (version === undefined) return versions?.[0];
    return versions?.find((service) => service.version === version);
  }

  /** The active security servers of the member that provides `service`, by id. */
  providerServers(service: GlobalConfService): readonly GlobalConfSecurityServer[] {
    const member = this.#subsystems.get(service.providerId)?.memberId;
    return member === undefined ? [] : (this.#serversByOwner.get(member) ?? []);
  }

  /** The client itself and the global groups it is in: who may hold a right for it. */
  #holdersFor(clientId: string): readonly string[] {
    return [clientId, ...(this.#groupsOf.get(clientId) ?? [])];
  }

  /** True when `clientId`, itself or through a global group, may call every endpoint of `serviceId`. */
  #mayCallAll(clientId: string, serviceId: string): boolean {
    const holders = this.#rights.get(serviceId);
    return holders !== undefined && this.#holdersFor(clientId).some((holder) => holders.has(holder));
  }

  /** The endpoint rights of `clientId` (its own and its groups') to `serviceId`. */
  #endpointsOf(clientId: string, serviceId: string): CompiledEndpoint[] {
    const byHolder = this.#endpointRights.get(serviceId);
    if (byHolder === undefined) return [];
    return this.#holdersFor(clientId).flatMap((holder) => byHolder.get(holder) ?? []);
  }

  /**
   * True when `clientId` may call some endpoint of `serviceId` (every
   * version), itself or through a global group: what `allowedMethods` lists.
   */
  mayCall(clientId: string, serviceId: string): boolean {
    return this.#mayCallAll(clientId, serviceId) || this.#endpointsOf(clientId, serviceId).length > 0;
  }

  /**
   * True when `clientId` may make this call of `serviceId`: a right to the
   * whole service, or one to an endpoint that covers the method and the
   * path (normalised by `normalizeRequestPath`; a refused path is covered
   * by no endpoint, only by a right to the whole service).
   */
  mayCallEndpoint(clientId: string, serviceId: string, method: HttpMethod, path: NormalizedPath): boolean {
    if (this.#mayCallAll(clientId, serviceId)) return true;
    return this.#endpointsOf(clientId, serviceId).some((endpoint) => endpointAllows(endpoint, method, path));
  }

  /**
   * The endpoints of `serviceId` that `clientId` may call, itself or through
   * a global group; a right to the whole service is X-Road's base endpoint
   * `* **`, listed first. Empty when it may call none.
   */
  allowedEndpoints(clientId: string, serviceId: string): readonly EndpointRule[] {
    const all: EndpointRule[] = this.#mayCallAll(clientId, serviceId) ? [{ method: '*', path: '**' }] : [];
    const seen = new Set<string>();
    for (const { method, path } of this.#endpointsOf(clientId, serviceId)) {
      const key = `${method} ${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push({ method, path });
    }
    return all;
  }
}
