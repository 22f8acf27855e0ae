import { Writer } from 'protobufjs';

/**
 * The `metadata` (and, once done, `response`) a built-in service's real operations carry, as a
 * google.protobuf.Any of the service's own types (field numbers from googleapis' protos; the
 * test decodes them with google-proto-files). Encoded by hand with protobufjs' Writer: a few
 * fields, no descriptor at run time.
 */

/** What the metadata reflects of an operation's life. */
export interface MetadataState {
  readonly name: string;
  readonly createdAt: number;
  readonly endedAt?: number;
  readonly cancelRequested: boolean;
  /** How it ended: undefined while running. */
  readonly outcome?: 'completed' | 'failed' | 'cancelled';
}

const TYPE = 'type.googleapis.com/';

/** google.protobuf.Any as proto-loader gives it (the store's AnyMessage; not imported: no cycle). */
interface AnyMessage {
  type_url: string;
  value: Buffer;
}

function timestamp(w: Writer, field: number, ms: number): void {
  w.uint32((field << 3) | 2).fork();
  w.uint32(1 << 3).int64(Math.floor(ms / 1000));
  const nanos = (ms % 1000) * 1e6;
  if (nanos) w.uint32(2 << 3).int32(nanos);
  w.ldelim();
}

function str(w: Writer, field: number, value: string): void {
  w.uint32((field << 3) | 2).string(value);
}

function varint(w: Writer, field: number, value: number): void {
  if (value) w.uint32(field << 3).int64(value);
}

/** The parent of an operation name (`.../operations/ID` without its last two segments). */
function parentOf(name: string): string {
  return name.split('/').slice(0, -2).join('/');
}

/** `google.cloud.*.OperationMetadata` of dataplex and privateca (same field layout). */
function commonOperationMetadata(s: MetadataState, target: string, verb: string): Uint8Array {
  const w = Writer.create();
  timestamp(w, 1, s.createdAt);
  if (s.endedAt !== undefined) timestamp(w, 2, s.endedAt);
  str(w, 3, target);
  str(w, 4, verb);
  if (s.cancelRequested) w.uint32(6 << 3).bool(true);
  str(w, 7, 'v1');
  return w.finish();
}

function lineageMetadata(s: MetadataState): Uint8Array {
  const w = Writer.create();
  // State: RUNNING 2, SUCCEEDED 3, FAILED 4 (a cancelled delete is a failed one); Type DELETE 1.
  varint(w, 1, s.outcome === undefined ? 2 : s.outcome === 'completed' ? 3 : 4);
  varint(w, 2, 1);
  str(w, 3, `${parentOf(s.name)}/processes/demo-process`);
  timestamp(w, 5, s.createdAt);
  if (s.endedAt !== undefined) timestamp(w, 6, s.endedAt);
  return w.finish();
}

/** Datastore admin's OperationType: EXPORT_ENTITIES 1, IMPORT_ENTITIES 2, CREATE_INDEX 3. */
type DatastoreOperation = 1 | 2 | 3;

/**
 * Datastore admin's Export/ImportEntitiesMetadata and IndexOperationMetadata: CommonMetadata and
 * progress_entities alike (fields 1 and 2); then the export's output_url_prefix (5), the
 * import's input_url (5) or the index's index_id (3).
 */
function datastoreMetadata(s: MetadataState, operation: DatastoreOperation): Uint8Array {
  const w = Writer.create();
  // CommonMetadata: start_time 1, end_time 2, operation_type 3, state 5
  // (PROCESSING 2, CANCELLING 3, SUCCESSFUL 5, FAILED 6, CANCELLED 7).
  w.uint32((1 << 3) | 2).fork();
  timestamp(w, 1, s.createdAt);
  if (s.endedAt !== undefined) timestamp(w, 2, s.endedAt);
  varint(w, 3, operation);
  const state =
    s.outcome === 'completed'
      ? 5
      : s.outcome === 'failed'
        ? 6
        : s.outcome === 'cancelled'
          ? 7
          : s.cancelRequested
            ? 3
            : 2;
  varint(w, 5, state);
  w.ldelim();
  // progress_entities: work_completed 1, work_estimated 2.
  w.uint32((2 << 3) | 2).fork();
  varint(w, 1, s.outcome === 'completed' ? 1000 : 250);
  varint(w, 2, 1000);
  w.ldelim();
  const id = s.name.split('/').pop() ?? 'op';
  if (operation === 3) str(w, 3, `index-${id}`);
  else str(w, 5, `gs://demo-bucket/${id}${operation === 2 ? '/demo.overall_export_metadata' : ''}`);
  return w.finish();
}

/** Discovery Engine's PurgeDocumentsMetadata: create_time 1, update_time 2, success_count 3. */
function discoveryPurgeMetadata(s: MetadataState): Uint8Array {
  const w = Writer.create();
  timestamp(w, 1, s.createdAt);
  timestamp(w, 2, s.endedAt ?? s.createdAt);
  varint(w, 3, s.outcome === 'completed' ? 100 : 40);
  return w.finish();
}

function discoveryImportMetadata(s: MetadataState): Uint8Array {
  const w = Writer.create();
  timestamp(w, 1, s.createdAt);
  timestamp(w, 2, s.endedAt ?? s.createdAt);
  varint(w, 3, s.outcome === 'completed' ? 100 : 25);
  varint(w, 5, 100);
  return w.finish();
}

interface ServiceTypes {
  readonly metadataType: string;
  readonly responseType: string;
  readonly encode: (s: MetadataState) => Uint8Array;
  /** Other kinds of operation the service runs (seed option `metadataKind`), by name. */
  readonly kinds?: Readonly<Record<string, Omit<ServiceTypes, 'kinds'>>>;
}

/** Per built-in service: the type its operations' metadata and response are. */
export const SERVICE_OPERATION_TYPES: Readonly<Record<string, ServiceTypes>> = {
  datalineage: {
    metadataType: 'google.cloud.datacatalog.lineage.v1.OperationMetadata',
    responseType: 'google.protobuf.Empty',
    encode: lineageMetadata,
  },
  dataplex: {
    metadataType: 'google.cloud.dataplex.v1.OperationMetadata',
    responseType: 'google.cloud.dataplex.v1.Lake',
    encode: (s) => commonOperationMetadata(s, `${parentOf(s.name)}/lakes/demo-lake`, 'create'),
  },
  privateca: {
    metadataType: 'google.cloud.security.privateca.v1.OperationMetadata',
    responseType: 'google.cloud.security.privateca.v1.CertificateAuthority',
    encode: (s) =>
      commonOperationMetadata(
        s,
        `${parentOf(s.name)}/caPools/demo-pool/certificateAuthorities/demo-ca`,
        'create',
      ),
  },
  datastore: {
    metadataType: 'google.datastore.admin.v1.ExportEntitiesMetadata',
    responseType: 'google.datastore.admin.v1.ExportEntitiesResponse',
    encode: (s) => datastoreMetadata(s, 1),
    kinds: {
      import: {
        metadataType: 'google.datastore.admin.v1.ImportEntitiesMetadata',
        responseType: 'google.protobuf.Empty',
        encode: (s) => datastoreMetadata(s, 2),
      },
      index: {
        metadataType: 'google.datastore.admin.v1.IndexOperationMetadata',
        responseType: 'google.datastore.admin.v1.Index',
        encode: (s) => datastoreMetadata(s, 3),
      },
    },
  },
  discoveryengine: {
    metadataType: 'google.cloud.discoveryengine.v1alpha.ImportDocumentsMetadata',
    responseType: 'google.cloud.discoveryengine.v1alpha.ImportDocumentsResponse',
    encode: discoveryImportMetadata,
    kinds: {
      purge: {
        metadataType: 'google.cloud.discoveryengine.v1alpha.PurgeDocumentsMetadata',
        responseType: 'google.cloud.discoveryengine.v1alpha.PurgeDocumentsResponse',
        encode: discoveryPurgeMetadata,
      },
    },
  },
};

/**
 * The kinds of operation a built-in service's emulated operations can be (`metadataKind`): the
 * first is the default ('export' for Datastore, 'import' for Discovery Engine); [] for others.
 */
export function metadataKinds(serviceId: string): string[] {
  const t = SERVICE_OPERATION_TYPES[serviceId];
  if (!t) return [];
  const first = serviceId === 'datastore' ? 'export' : serviceId === 'discoveryengine' ? 'import' : 'default';
  return [first, ...Object.keys(t.kinds ?? {})];
}

function typesOf(serviceId: string, kind: string | undefined): Omit<ServiceTypes, 'kinds'> | undefined {
  const t = SERVICE_OPERATION_TYPES[serviceId];
  return (kind !== undefined && t?.kinds?.[kind]) || t;
}

/** The metadata Any of a built-in service's operation (of `kind`), or undefined for other services. */
export function serviceMetadata(
  serviceId: string,
  state: MetadataState,
  kind?: string,
): AnyMessage | undefined {
  const t = typesOf(serviceId, kind);
  return t ? { type_url: TYPE + t.metadataType, value: Buffer.from(t.encode(state)) } : undefined;
}

/** The response Any of a built-in service's completed operation (an empty message of its type). */
export function serviceResponse(serviceId: string, kind?: string): AnyMessage | undefined {
  const t = typesOf(serviceId, kind);
  return t ? { type_url: TYPE + t.responseType, value: Buffer.alloc(0) } : undefined;
}
