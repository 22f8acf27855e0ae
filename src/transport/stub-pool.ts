import type * as grpc from '@grpc/grpc-js';
import { GrpcClient } from 'google-gax';
import { loadOperationsService } from '../proto/load-operations-package';
import { createChannelCredentials, type CredentialOptions } from './channel-credentials';
import type { Endpoint } from './endpoint';
import { redactGrpcLogs } from './grpc-log-redaction';
import { OperationsStub } from './operations-stub';

export interface StubPoolOptions {
  /** Channels per endpoint. Defaults to 1. More lift the ~100-concurrent-streams cap of one connection. */
  channelsPerEndpoint?: number | undefined;
  /** Extra grpc-js channel options (`grpc.keepalive_time_ms`, ...). */
  channelOptions?: grpc.ChannelOptions | undefined;
}

/**
 * One stub per endpoint (or a small fixed set with `channelsPerEndpoint`), created lazily on
 * first use through google-gax's `GrpcClient.createStub`, reused by every call, closed by
 * `closeAll()`. Never a channel per call.
 */
export class StubPool {
  private readonly stubs = new Map<string, OperationsStub[]>();
  private readonly pending = new Map<string, Promise<OperationsStub[]>>();
  private closed = false;
  private readonly channels: number;

  constructor(private readonly options: StubPoolOptions = {}) {
    this.channels = options.channelsPerEndpoint ?? 1;
    if (!Number.isInteger(this.channels) || this.channels < 1) {
      throw new RangeError(`channelsPerEndpoint must be an integer >= 1, got ${options.channelsPerEndpoint}`);
    }
  }

  /** The stub for an endpoint when it exists already (the hot path: no promise). */
  peek(endpoint: Endpoint): OperationsStub | undefined {
    const list = this.stubs.get(key(endpoint));
    return list && pickLeastLoaded(list);
  }

  /** The stub for an endpoint, creating its channel(s) on first use. */
  async get(endpoint: Endpoint, credentials: CredentialOptions): Promise<OperationsStub> {
    const k = key(endpoint);
    const ready = this.stubs.get(k);
    if (ready) return pickLeastLoaded(ready);
    if (this.closed) throw new Error('client closed');
    let p = this.pending.get(k);
    if (!p) {
      p = this.create(endpoint, credentials).then((list) => {
        this.pending.delete(k);
        if (this.closed) {
          for (const s of list) s.close();
          throw new Error('client closed');
        }
        this.stubs.set(k, list);
        return list;
      });
      p.catch(() => this.pending.delete(k));
      this.pending.set(k, p);
    }
    return pickLeastLoaded(await p);
  }

  /** Every stub made so far (tests, metrics). */
  all(): OperationsStub[] {
    return [...this.stubs.values()].flat();
  }

  closeAll(): void {
    this.closed = true;
    for (const list of this.stubs.values()) for (const s of list) s.close();
    this.stubs.clear();
  }

  private async create(endpoint: Endpoint, credentials: CredentialOptions): Promise<OperationsStub[]> {
    const Service = loadOperationsService();
    const universeDomain = credentials.universeDomain ?? 'googleapis.com';
    // `universeDomain` on both: createStub then asks google-auth-library nothing (no metadata probe),
    // and `sslCreds` makes it use our credentials instead of resolving ADC itself.
    const gax = new GrpcClient({ universeDomain });
    // Before any call: a grpc-js trace must never print a token (see redactGrpcLogs).
    redactGrpcLogs(gax.grpc);
    const sslCreds = createChannelCredentials(endpoint, credentials);
    const list: OperationsStub[] = [];
    for (let i = 0; i < this.channels; i++) {
      const client = (await gax.createStub(Service as never, {
        servicePath: endpoint.host,
        port: endpoint.port,
        sslCreds,
        universeDomain,
        // Every attempt is ours to count and time: no hidden grpc-js retries.
        'grpc.enable_retries': 0,
        'grpc.primary_user_agent': 'lro-cancel',
        ...(endpoint.authority ? { 'grpc.default_authority': endpoint.authority } : {}),
        // grpc-js shares subchannels (connections) between channels with equal options;
        // a pool of channels must not collapse into one connection.
        ...(this.channels > 1 ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
        ...this.options.channelOptions,
      })) as unknown as grpc.Client;
      list.push(new OperationsStub(client));
    }
    return list;
  }
}

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

function pickLeastLoaded(list: OperationsStub[]): OperationsStub {
  if (list.length === 1) return list[0] as OperationsStub;
  let best = list[0] as OperationsStub;
  for (const s of list) if (s.inflightCount < best.inflightCount) best = s;
  return best;
}
