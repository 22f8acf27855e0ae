import { accessSync, constants } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialError, impersonationChain } from '../../auth/credential-source';
import { loadClientCertificate, mtlsSettings } from '../../auth/client-certificate';
import { resolveRootCerts } from '../../auth/tls-roots';
import type { BatchOptions } from '../../batch/cancel-many';
import type { CancellerOptions } from '../../client/canceller';
import { resolveEndpoint } from '../../transport/endpoint';
import type { CommandIO } from '../command-io';
import { jsonLinesLogger } from '../verbose-logger';
import { UsageError } from '../exit-error';

/*
 * The options shared by the commands that call services live here, not in command-table.ts, which
 * imports every command's option types: commands import these without a cycle back to it.
 */

/** Connection options every service-calling command shares, read from its flags. */
export interface ConnectionOptions {
  /**
   * Service of relative names: a built-in id, or one of `serviceHosts` (`--service`, else the
   * only `--service-host`).
   */
  service?: string;
  /** Hosts that are not built in which full names may name (`--service-host`, lower case). */
  serviceHosts?: string[];
  /** `host:port` for all services, or per service id. */
  endpoint?: string | Record<string, string>;
  /** `host:port` of an emulator (the env variable is read by the command, not here). */
  emulator?: string;
  allowInsecure?: boolean;
  /** `--transport`: grpc (default) or rest. */
  transport?: 'grpc' | 'rest';
  /** `--access-token-file FILE`: a bearer token, read again when the server rejects it. */
  accessTokenFile?: string;
  /** `--impersonate-service-account EMAIL[,EMAIL...]`: the chain, target last (gcloud's order). */
  impersonateServiceAccount?: string;
  /** `--billing-project ID`: the quota project (over GOOGLE_CLOUD_QUOTA_PROJECT and the ADC file's). */
  billingProject?: string;
  /** `--ca-file PEM`: roots to trust instead of the system's (over GRPC_DEFAULT_SSL_ROOTS_FILE_PATH). */
  caFile?: string;
}

/** `--timeout` and `--max-attempts`: every command that calls a service takes them. */
export interface CallFlags {
  timeoutMs?: number | undefined;
  maxAttempts?: number | undefined;
  /** `--verbose`: the library's debug logs as JSON lines on stderr. */
  verbose?: boolean | undefined;
}

/** The flags of the commands that cancel many names through the batch engine (batch, cancel, cancel-all). */
export interface BatchFlags extends CallFlags {
  concurrency?: number | undefined;
  rate?: number | undefined;
  journal?: string | undefined;
  confirm?: boolean | undefined;
  confirmTimeoutMs?: number | undefined;
  graceMs?: number | undefined;
}

/**
 * Canceller options from the shared connection and call flags and the command's environment
 * (LRO_CANCEL_EMULATOR_HOST, GOOGLE_CLOUD_UNIVERSE_DOMAIN): the one mapping every command
 * uses. `--timeout` is the retry policy's total deadline, so it bounds every call the command
 * makes (cancel, get, list, confirm reads) and a batch's quota waits alike. A bad emulator
 * setting is a usage error, raised here before anything connects.
 */
export function cancellerOptionsFrom(
  options: ConnectionOptions & CallFlags,
  io: CommandIO,
  command: string,
): CancellerOptions {
  const emulator = options.emulator ?? (io.env.LRO_CANCEL_EMULATOR_HOST || undefined);
  const out: CancellerOptions = {
    // null: the command's env decides, not whatever process.env holds.
    emulator: emulator ?? null,
    allowInsecure: options.allowInsecure ?? false,
    // The CLI owns its process: grpc-js traces (GRPC_TRACE) pass through the redactor.
    redactGrpcLogs: true,
    // Full names may name these hosts (besides the built-in ones); any other host is refused.
    ...(options.serviceHosts !== undefined ? { serviceHosts: options.serviceHosts } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.transport !== undefined ? { transport: options.transport } : {}),
    ...(io.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN ? { universeDomain: io.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN } : {}),
  };
  Object.assign(out, credentialOptionsFrom(options, io, command, emulator !== undefined));
  if (options.maxAttempts !== undefined || options.timeoutMs !== undefined) {
    out.retry = {
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.timeoutMs !== undefined ? { totalTimeoutMs: options.timeoutMs } : {}),
    };
  }
  if (options.verbose) out.logger = jsonLinesLogger(io.stderr);
  if (emulator !== undefined) {
    try {
      resolveEndpoint({ id: '-', host: 'x.googleapis.com', port: 443 } as never, {
        emulator,
        allowInsecure: out.allowInsecure,
      });
    } catch (e) {
      const source = options.emulator !== undefined ? '--emulator' : 'LRO_CANCEL_EMULATOR_HOST';
      throw new UsageError(`${source}: ${(e as Error).message}`, command);
    }
  }
  return out;
}

/**
 * The credential flags and their environment variables as library options, checked now (a
 * usage error naming the flag, before anything connects). In emulator mode nothing is sent with
 * credentials, so the TLS settings are not read.
 */
export function credentialOptionsFrom(
  options: ConnectionOptions,
  io: CommandIO,
  command: string,
  emulatorMode: boolean,
): Pick<
  CancellerOptions,
  | 'accessTokenFile'
  | 'impersonate'
  | 'iamCredentialsEndpoint'
  | 'quotaProject'
  | 'rootCerts'
  | 'clientCertificate'
> {
  const out: ReturnType<typeof credentialOptionsFrom> = {};
  const fail = (flag: string, e: unknown): never => {
    throw new UsageError(`${flag}: ${(e as Error).message}`, command);
  };
  if (options.accessTokenFile !== undefined) {
    try {
      accessSync(options.accessTokenFile, constants.R_OK);
    } catch (e) {
      fail('--access-token-file', e);
    }
    out.accessTokenFile = options.accessTokenFile;
  }
  if (options.impersonateServiceAccount !== undefined) {
    try {
      impersonationChain(options.impersonateServiceAccount);
    } catch (e) {
      fail('--impersonate-service-account', e);
    }
    out.impersonate = options.impersonateServiceAccount;
    // gcloud's endpoint override for the IAM Credentials API (private endpoints, tests).
    const iam = io.env.CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS;
    if (iam) out.iamCredentialsEndpoint = iam.replace(/\/+$/, '');
  }
  const quota = options.billingProject ?? (io.env.GOOGLE_CLOUD_QUOTA_PROJECT || undefined);
  if (quota !== undefined) out.quotaProject = quota;
  if (!emulatorMode) {
    let mtls: ReturnType<typeof mtlsSettings>;
    try {
      mtls = mtlsSettings(io.env);
    } catch (e) {
      throw new UsageError((e as Error).message, command);
    }
    if (mtls.useClientCertificate) {
      // The provider command runs when the first channel is made; a missing setup is a usage error now.
      const home = io.env.HOME || os.homedir();
      const metadata = path.join(home, '.secureConnect', 'context_aware_metadata.json');
      try {
        accessSync(metadata, constants.R_OK);
      } catch {
        throw new UsageError(
          `GOOGLE_API_USE_CLIENT_CERTIFICATE=true, but there is no ${metadata} naming a cert_provider_command: set up endpoint verification (gcloud), or unset the variable`,
          command,
        );
      }
      out.clientCertificate = () => loadClientCertificate(home);
    }
    try {
      const roots = resolveRootCerts(undefined, options.caFile, io.env);
      if (roots !== undefined) out.rootCerts = roots;
    } catch (e) {
      if (!(e instanceof CredentialError)) throw e;
      // The message names the variable already; the flag is named here.
      if (options.caFile === undefined) throw new UsageError(e.message, command);
      fail('--ca-file', e);
    }
  }
  return out;
}

/** Batch options (the canceller's, plus the batch flags) for batch, cancel and cancel-all. */
export function batchOptionsFrom(
  options: ConnectionOptions & BatchFlags,
  io: CommandIO,
  command: string,
): BatchOptions {
  const out: BatchOptions = cancellerOptionsFrom(options, io, command);
  if (options.service !== undefined) out.service = options.service;
  if (options.concurrency !== undefined) out.concurrency = options.concurrency;
  if (options.rate !== undefined) out.rate = options.rate;
  if (options.journal !== undefined) out.journal = options.journal;
  if (options.graceMs !== undefined) out.graceMs = options.graceMs;
  if (options.confirm)
    out.confirm =
      options.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: options.confirmTimeoutMs } : true;
  return out;
}
