import type { DecodedAny } from '../proto/status-codec';

/**
 * The few fields a user selects operations on, named the same for every service, read from the
 * operation's decoded metadata (README "Normalised fields" says which real field each comes from,
 * per service). A field the service does not report is absent, never guessed.
 *
 * @example
 * ```ts
 * const view: NormalizedOperation = normalizeOperation(operationToJson(await canceller.getOperation(name)));
 * console.log(view.kind, view.createTime, view.progress?.completed);
 * ```
 */
export interface NormalizedOperation {
  /** When the operation started (RFC 3339). */
  createTime?: string;
  /** When it ended (RFC 3339), once it has. */
  endTime?: string;
  /** What it does, in lower-kebab case: the verb (`create`), the operation type (`export-entities`) or the metadata type (`import-documents`). */
  kind?: string;
  /** The resource it acts on (or, for Datastore, the export/import URL or the index id). */
  target?: string;
  /** Whether someone asked to cancel it (as the service reports it). */
  cancelRequested?: boolean;
  /** Work done, and the total where the service estimates one. */
  progress?: {
    /** Units of work done. */
    completed: number;
    /** Units of work in all, where known. */
    total?: number;
  };
}

/** `EXPORT_ENTITIES` / `ImportDocuments` / `create` → `export-entities` / `import-documents` / `create`. */
export function kebabKind(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function typeNameOf(meta: DecodedAny): string {
  const url = meta['@type'];
  return url.slice(url.lastIndexOf('/') + 1);
}

/** Datastore admin: everything sits in `common` (CommonMetadata), progress in `progressEntities`. */
function datastore(meta: DecodedAny, out: NormalizedOperation): void {
  const common = (meta.common ?? {}) as Record<string, unknown>;
  const start = str(common.startTime);
  if (start) out.createTime = start;
  const end = str(common.endTime);
  if (end) out.endTime = end;
  const type = str(common.operationType);
  if (type && type !== 'OPERATION_TYPE_UNSPECIFIED') out.kind = kebabKind(type);
  const target = str(meta.outputUrlPrefix) ?? str(meta.inputUrl) ?? str(meta.indexId);
  if (target) out.target = target;
  const state = str(common.state);
  if (state && state !== 'STATE_UNSPECIFIED')
    out.cancelRequested = state === 'CANCELLING' || state === 'CANCELLED';
  const p = (meta.progressEntities ?? {}) as Record<string, unknown>;
  const done = num(p.workCompleted);
  const total = num(p.workEstimated);
  if (done !== undefined || total !== undefined)
    out.progress = { completed: done ?? 0, ...(total !== undefined ? { total } : {}) };
}

/** Discovery Engine import/purge metadata: times and counts; no verb, target, end time or cancel flag. */
function discoveryEngine(meta: DecodedAny, typeName: string, out: NormalizedOperation): void {
  const created = str(meta.createTime);
  if (created) out.createTime = created;
  out.kind = kebabKind((typeName.split('.').pop() ?? '').replace(/Metadata$/, ''));
  const counts = [meta.successCount, meta.failureCount, meta.ignoredCount].map(num);
  const total = num(meta.totalCount);
  if (counts.some((c) => c !== undefined) || total !== undefined)
    out.progress = {
      completed: counts.reduce<number>((a, c) => a + (c ?? 0), 0),
      ...(total !== undefined ? { total } : {}),
    };
}

/** Data Lineage: state, operationType, resource, createTime, endTime; no cancel flag or progress. */
function lineage(meta: DecodedAny, out: NormalizedOperation): void {
  const created = str(meta.createTime);
  if (created) out.createTime = created;
  const end = str(meta.endTime);
  if (end) out.endTime = end;
  const type = str(meta.operationType);
  if (type && type !== 'TYPE_UNSPECIFIED') out.kind = kebabKind(type);
  const resource = str(meta.resource);
  if (resource) out.target = resource;
}

/** The layout most google.cloud OperationMetadata share (Dataplex, CA Service, and many more). */
function common(meta: DecodedAny, typeName: string, out: NormalizedOperation): void {
  const created = str(meta.createTime) ?? str(meta.startTime);
  if (created) out.createTime = created;
  const end = str(meta.endTime);
  if (end) out.endTime = end;
  const verb = str(meta.verb);
  const short = typeName.split('.').pop() ?? '';
  if (verb) out.kind = kebabKind(verb);
  else if (short !== 'OperationMetadata' && short.endsWith('Metadata'))
    out.kind = kebabKind(short.replace(/Metadata$/, ''));
  const target = str(meta.target);
  if (target) out.target = target;
  // proto3 leaves a false bool off the wire: in a type that has the field, absent means false.
  if (typeof meta.requestedCancellation === 'boolean' || HAS_REQUESTED_CANCELLATION.has(typeName))
    out.cancelRequested = meta.requestedCancellation === true;
}

const HAS_REQUESTED_CANCELLATION: ReadonlySet<string> = new Set([
  'google.cloud.dataplex.v1.OperationMetadata',
  'google.cloud.security.privateca.v1.OperationMetadata',
]);

/**
 * The normalised fields of an operation, from its decoded metadata (an undecoded or absent
 * metadata yields none). Does not look at `done`: an ended operation has an `endTime` where its
 * service reports one.
 *
 * @example
 * ```ts
 * for await (const op of canceller.listOperations(parent, { service: 'datastore' })) {
 *   const { createTime, kind } = normalizeOperation(operationToJson(op));
 *   console.log(op.name, kind, createTime);
 * }
 * ```
 */
export function normalizeOperation(op: { metadata?: DecodedAny }): NormalizedOperation {
  const out: NormalizedOperation = {};
  const meta = op.metadata;
  if (!meta || 'value' in meta) return out; // absent, or a type lro-cancel does not know
  const typeName = typeNameOf(meta);
  if (typeName.startsWith('google.datastore.admin.')) datastore(meta, out);
  else if (typeName.startsWith('google.cloud.discoveryengine.')) discoveryEngine(meta, typeName, out);
  else if (typeName.startsWith('google.cloud.datacatalog.lineage.')) lineage(meta, out);
  else common(meta, typeName, out);
  return out;
}
