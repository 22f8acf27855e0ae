// lro-cancel: the public library surface. Explicit named exports only.

// For users
export { createCanceller } from './client/canceller';
export type { Canceller, CancellerOptions, CallOptions, CancelResult } from './client/canceller';
export type { ConfirmOptions, ConfirmPolling, ConfirmResult } from './client/cancel-and-confirm';
export type { ListOptions } from './client/list-operations';
export { operationToJson, finalState, decodeOperationAny } from './client/operation';
export type { RawOperation, RawAny, OperationJson, FinalState } from './client/operation';
export { OperationsError } from './errors/operations-error';
export type { OperationsErrorInit } from './errors/operations-error';
export type { DecodedAny } from './proto/status-codec';
export { Code, codeName } from './errors/status-code';
export type { CodeName } from './errors/status-code';
export type { Outcome, ErrorOutcome } from './outcome';
export { isSuccessOutcome, OUTCOMES } from './outcome';
export { services, serviceIds, customService } from './registry/service-registry';
export type { ServiceDescriptor } from './registry/service-registry';
export { parseOperationName, MAX_NAME_LENGTH } from './registry/operation-name';
export type { OperationName, ParseNameOptions, NameKind } from './registry/operation-name';
export { DEFAULT_RETRY_POLICY } from './retry/retry-policy';
export type { RetryPolicy } from './retry/retry-policy';
export type { RetryListener } from './retry/call-with-retry';
export type {
  AttemptEvent,
  Logger,
  LogFn,
  ObservabilityHooks,
  ResultEvent,
  RetryEvent,
  RpcMethod,
} from './observability/observability-types';

export { cancelMany, batchSucceeded } from './batch/cancel-many';
export type { BatchOptions, BatchRun, BatchStats, BatchRecord } from './batch/cancel-many';

export { FINAL_OUTCOMES, JournalError } from './batch/cancel-journal';

export { cancelAll, listPendingNames, selectPendingOperations } from './batch/cancel-all';
export type { CancelAllOptions, PendingSelection, SelectedOperation } from './batch/cancel-all';
export { normalizeOperation } from './client/operation-view';
export type { NormalizedOperation } from './client/operation-view';
export { selectOperation, LeftOutTally } from './client/operation-selector';
export { superviseOperation } from './client/supervise-operation';
export type { SuperviseOptions, SupervisionEnding, SupervisionResult } from './client/supervise-operation';
export type { OperationSelector, SelectionVerdict, SelectorName } from './client/operation-selector';

// For integrators
export type { TransportKind } from './transport/operations-transport';
export type { AuthClientLike } from './auth/credential-source';
export { CredentialError } from './auth/credential-source';
export type { ClientCertificate } from './auth/client-certificate';
export { recordsSchema } from './records-schema';
export { VERSION } from './version';
