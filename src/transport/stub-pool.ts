import type { GrpcClient } from 'google-gax';
import { gaxGrpcClient } from '../proto/gax-grpc-client';
import { loadOperationsService } from '../proto/load-operations-package';
import type { ClientCertificate } from '../auth/client-certificate';
import { redactGoogleSdkLogs } from '../auth/sdk-log-redaction';
import { createChannelCredentials, type CredentialOptions } from './channel-credentials';
import type { Endpoint } from './endpoint';
import type { grpc } from './grpc';
import { redactGrpcLogs } from './grpc-log-redaction';
import { OperationsStub } from './operations-stub';
import { proxyForEndpoint } from './proxy';
import type { OperationsMethod, OperationsTransport } from './operations-transport';
import type { ServiceDescriptor } from '../registry/service-registry';

export interface StubPoolOptions {
  /** Channels per endpoint to start with. Defaults to 1. */
  channelsPerService?: number | undefined;
  /**
   * Most channels per endpoint: another is opened when every channel already carries
   * `streamsPerChannel` calls. Defaults to 8 (or `channelsPerService` if higher); 1 turns
   * growth off.
   */
  maxChannelsPerService?: number | undefined;
  /**
   * Calls one channel should carry at a time: HTTP/2 servers cap concurrent streams per
   * connection (Google's front ends at 100) and queue the rest. Defaults to 100.
   */
  streamsPerChannel?: number | undefined;
  /** Extra grpc-js channel options (`grpc.keepalive_time_ms`, ...). */
  channelOptions?: grpc.ChannelOptions | undefined;
  /** Wrap grpc-js's process-wide logger with the redactor before the first channel (see redactGrpcLogs). */
  redactGrpcLogs?: boolean | undefined;
}

/** An endpoint's channels, and what it takes to open one more. */
interface EndpointChannels {
  list: OperationsStub[];
  /** How its channels are made; shared, so added channels reuse one credentials provider (one ADC client, one token cache). */
  maker: ChannelMaker;
  /** Settles when the channel being added is there (or could not be made). */
  growing: Promise<void> | undefined;
  /** After a failed growth, no new attempt before this time (ms since epoch). */
  noGrowthUntil: number;
}

/** How long a pool that failed to open another channel makes do with the ones it has. */
const GROWTH_RETRY_MS = 5_000;

/**
 * The channels of each endpoint, created lazily on first use through google-gax's
 * `GrpcClient.createStub` and reused by every call; never a channel per call. Each endpoint
 * starts with `channelsPerService` channels and grows, one at a time, while every channel is
 * full (`streamsPerChannel` calls in flight), up to `maxChannelsPerService` — as grpc-gcp's
 * channel pool does: one connection cannot carry more than the server's stream limit, however
 * high the concurrency. Calls go to the least loaded channel; a call that finds them all full
 * while another is being opened waits for it rather than queue behind a full connection.
 * `closeAll()` closes them all.
 */
export class StubPool implements OperationsTransport {
  readonly kind = 'grpc' as const;
  private readonly pools = new Map<string, EndpointChannels>();
  private readonly pending = new Map<string, Promise<EndpointChannels>>();
  private closed = false;
  private readonly channels: number;
  private readonly maxChannels: number;
  private readonly streamsPerChannel: number;

  constructor(private readonly options: StubPoolOptions = {}) {
    this.channels = positiveInteger('channelsPerService', options.channelsPerService, 1);
    this.maxChannels = positiveInteger(
      'maxChannelsPerService',
      options.maxChannelsPerService,
      Math.max(8, this.channels),
    );
    if (this.maxChannels < this.channels) {
      throw new RangeError(
        `maxChannelsPerService (${this.maxChannels}) is below channelsPerService (${this.channels})`,
      );
    }
    this.streamsPerChannel = positiveInteger('streamsPerChannel', options.streamsPerChannel, 100);
  }

  /** gRPC carries every Operations method. */
  supports(_method: OperationsMethod): boolean {
    return true;
  }

  /**
   * The stub to use now for an endpoint, without waiting (the hot path: no promise); undefined
   * when the endpoint has no channel yet, or when every channel is full and one more is being
   * opened: then `withConnection` waits for it.
   */
  peek(endpoint: Endpoint): OperationsStub | undefined {
    const pool = this.pools.get(key(endpoint));
    return pool && this.pick(pool);
  }

  /**
   * Run `use` with the stub for an endpoint, once there is one to use: after creating the
   * endpoint's first channel(s), or after one more was opened. `use` runs in the same tick as
   * the pick, so the call it starts is counted before the next waiter picks (a burst of
   * waiters would otherwise all pick the same new, empty channel).
   */
  async withConnection<T>(
    endpoint: Endpoint,
    _service: ServiceDescriptor,
    credentials: CredentialOptions,
    use: (stub: OperationsStub) => T | Promise<T>,
  ): Promise<T> {
    const k = key(endpoint);
    for (;;) {
      if (this.closed) throw new Error('client closed');
      const pool = this.pools.get(k) ?? (await this.firstChannels(k, endpoint, credentials));
      const stub = this.pick(pool);
      if (stub) return use(stub);
      await pool.growing;
    }
  }

  private firstChannels(
    k: string,
    endpoint: Endpoint,
    credentials: CredentialOptions,
  ): Promise<EndpointChannels> {
    let p = this.pending.get(k);
    if (!p) {
      const maker = this.channelMaker(endpoint, credentials);
      p = (async () => {
        const list: OperationsStub[] = [];
        // The first channel may share its connection with other clients' (grpc-js's global
        // subchannel pool); every further one needs its own.
        for (let i = 0; i < this.channels; i++) list.push(await maker(i > 0));
        return list;
      })().then((list) => {
        this.pending.delete(k);
        if (this.closed) {
          for (const s of list) s.close();
          throw new Error('client closed');
        }
        const pool: EndpointChannels = { list, maker, growing: undefined, noGrowthUntil: 0 };
        this.pools.set(k, pool);
        return pool;
      });
      p.catch(() => this.pending.delete(k));
      this.pending.set(k, p);
    }
    return p;
  }

  /** The least loaded channel, or undefined when all are full and another is on its way. */
  private pick(pool: EndpointChannels): OperationsStub | undefined {
    const list = pool.list;
    let best = list[0] as OperationsStub;
    for (let i = 1; i < list.length; i++)
      if ((list[i] as OperationsStub).inflightCount < best.inflightCount) best = list[i] as OperationsStub;
    if (best.inflightCount < this.streamsPerChannel || list.length >= this.maxChannels || this.closed)
      return best;
    if (!pool.growing) {
      if (Date.now() < pool.noGrowthUntil) return best;
      pool.growing = this.grow(pool);
    }
    return undefined;
  }

  private async grow(pool: EndpointChannels): Promise<void> {
    try {
      const stub = await pool.maker(true);
      if (this.closed) stub.close();
      else pool.list.push(stub);
    } catch {
      // The first channels were made with the same settings, so this is rare and transient:
      // make do with the channels there are for a while (calls queue in their connections).
      pool.noGrowthUntil = Date.now() + GROWTH_RETRY_MS;
    } finally {
      pool.growing = undefined;
    }
  }

  /** Every stub made so far (tests, metrics). */
  all(): OperationsStub[] {
    return [...this.pools.values()].flatMap((p) => p.list);
  }

  closeAll(): void {
    this.closed = true;
    for (const pool of this.pools.values()) for (const s of pool.list) s.close();
    this.pools.clear();
  }

  /** Makes the endpoint's channels through google-gax, all with one credentials object. */
  private channelMaker(endpoint: Endpoint, credentials: CredentialOptions): ChannelMaker {
    const universeDomain = credentials.universeDomain ?? 'googleapis.com';
    // `universeDomain` on both: createStub then asks google-auth-library nothing (no metadata probe),
    // and `sslCreds` makes it use our credentials instead of resolving ADC itself.
    let gax: GrpcClient | undefined;
    let sslCreds: grpc.ChannelCredentials | undefined;
    return async (ownConnection) => {
      const Service = loadOperationsService();
      if (!gax) {
        gax = new (gaxGrpcClient())({ universeDomain });
        // Before any call: a grpc-js trace must never print a token (see redactGrpcLogs). A
        // process-wide change, so only when asked (the CLI does).
        if (this.options.redactGrpcLogs) {
          redactGrpcLogs(gax.grpc);
          // And google-auth-library's debug log, which prints token responses.
          redactGoogleSdkLogs();
        }
      }
      let clientCert: ClientCertificate | undefined;
      if (!sslCreds && endpoint.secure && credentials.clientCertificate)
        clientCert = await credentials.clientCertificate();
      sslCreds ??= createChannelCredentials(endpoint, credentials, clientCert);
      const client = (await gax.createStub(
        Service as never,
        {
          servicePath: endpoint.host,
          port: endpoint.port,
          sslCreds,
          // With GOOGLE_API_USE_CLIENT_CERTIFICATE=true google-gax runs the cert provider command
          // itself (and fails without one), though it then uses `sslCreds`: the client certificate
          // is ours to load (and the host ours to choose, the third argument), so it is told there is one.
          ...(process.env.GOOGLE_API_USE_CLIENT_CERTIFICATE?.toLowerCase() === 'true'
            ? { cert: 'decided by lro-cancel', key: 'decided by lro-cancel' }
            : {}),
          universeDomain,
          // Every attempt is ours to count and time: no hidden grpc-js retries.
          'grpc.enable_retries': 0,
          'grpc.primary_user_agent': 'lro-cancel',
          // grpc-js reads the proxy variables itself; where lro-cancel's reading (proxy.ts, which
          // REST follows) says no proxy — plaintext, a no_proxy form grpc-js lacks — it is told so.
          ...(proxyForEndpoint(endpoint) ? {} : { 'grpc.enable_http_proxy': 0 }),
          ...(endpoint.authority ? { 'grpc.default_authority': endpoint.authority } : {}),
          // grpc-js shares subchannels (connections) between channels with equal options;
          // a pool of channels must not collapse into one connection.
          ...(ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
          ...this.options.channelOptions,
        },
        true,
      )) as unknown as grpc.Client;
      return new OperationsStub(client);
    };
  }
}

/** Makes one more channel of an endpoint; `ownConnection` keeps it off grpc-js's shared connections. */
type ChannelMaker = (ownConnection: boolean) => Promise<OperationsStub>;

// Endpoints are long-lived (one per service), so their key is built once, not per call.
const KEYS = new WeakMap<Endpoint, string>();
function key(endpoint: Endpoint): string {
  let k = KEYS.get(endpoint);
  if (k === undefined) {
    k = `${endpoint.secure ? 'tls' : 'plain'}://${endpoint.address}/${endpoint.authority ?? ''}`;
    KEYS.set(endpoint, k);
  }
  return k;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}
