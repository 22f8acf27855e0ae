// lro-cancel/emulator: a local google.longrunning.Operations server for tests and demos.
export { DROP, OperationsEmulator, startOperationsEmulator } from './operations-emulator';
export type {
  CallExtras,
  DropMode,
  EmulatorOptions,
  OperationsMethod,
  RecordedCall,
  ServiceFaults,
} from './operations-emulator';
export { OperationStore } from './operation-store';
export type { RestGateway, RestRequest } from './rest-gateway';
export type { AnyMessage, CancelBehavior, OperationSeed, StoredOperation } from './operation-store';
