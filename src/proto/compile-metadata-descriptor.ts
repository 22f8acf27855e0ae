import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * Build-time only: compile the metadata and response types of the five built-in services'
 * operations from googleapis' protos (the google-proto-files devDependency) into a pruned
 * protobufjs JSON descriptor, `metadata-descriptor.json`, which the runtime decoder loads
 * (metadata-codec.ts). Not shipped (package.json `files`); test/protos keeps the committed JSON
 * equal to what this produces, and `npm run protos:compile` rewrites it.
 */

/** The .proto files declaring the kept types (imports follow from google-proto-files). */
export const METADATA_PROTO_FILES: readonly string[] = [
  'google/cloud/datacatalog/lineage/v1/lineage.proto',
  'google/cloud/dataplex/v1/service.proto',
  'google/cloud/security/privateca/v1/service.proto',
  'google/datastore/admin/v1/datastore_admin.proto',
  'google/cloud/discoveryengine/v1alpha/import_config.proto',
  'google/cloud/discoveryengine/v1alpha/purge_config.proto',
];

/** Per built-in service, the operation metadata and response types decoded (with what they reference). */
export const METADATA_TYPES: Readonly<Record<string, readonly string[]>> = {
  datalineage: ['google.cloud.datacatalog.lineage.v1.OperationMetadata'],
  dataplex: ['google.cloud.dataplex.v1.OperationMetadata', 'google.cloud.dataplex.v1.Lake'],
  privateca: [
    'google.cloud.security.privateca.v1.OperationMetadata',
    'google.cloud.security.privateca.v1.CertificateAuthority',
  ],
  datastore: [
    'google.datastore.admin.v1.ExportEntitiesMetadata',
    'google.datastore.admin.v1.ExportEntitiesResponse',
    'google.datastore.admin.v1.ImportEntitiesMetadata',
    'google.datastore.admin.v1.IndexOperationMetadata',
    'google.datastore.admin.v1.Index',
  ],
  discoveryengine: [
    'google.cloud.discoveryengine.v1alpha.ImportDocumentsMetadata',
    'google.cloud.discoveryengine.v1alpha.ImportDocumentsResponse',
    'google.cloud.discoveryengine.v1alpha.PurgeDocumentsMetadata',
    'google.cloud.discoveryengine.v1alpha.PurgeDocumentsResponse',
    'google.cloud.discoveryengine.v1alpha.ImportUserEventsMetadata',
    'google.cloud.discoveryengine.v1alpha.ImportUserEventsResponse',
    'google.cloud.discoveryengine.v1alpha.PurgeUserEventsMetadata',
    'google.cloud.discoveryengine.v1alpha.PurgeUserEventsResponse',
  ],
};

/** Compile and prune: the kept types and every message and enum they reach, nothing else. */
export function compileMetadataDescriptor(): protobuf.INamespace {
  const protos = path.dirname(require.resolve('google-proto-files/package.json'));
  const root = new protobuf.Root();
  // Everything from google-proto-files, google/protobuf/* included: one pinned source.
  root.resolvePath = (_origin, target) => path.join(protos, target);
  root.loadSync([...METADATA_PROTO_FILES], { keepCase: false });
  root.resolveAll();
  const kept = new Set<protobuf.ReflectionObject>();
  const visit = (obj: protobuf.ReflectionObject): void => {
    if (kept.has(obj)) return;
    kept.add(obj);
    if (obj instanceof protobuf.Type) {
      for (const f of obj.fieldsArray) if (f.resolvedType) visit(f.resolvedType);
    }
  };
  for (const name of Object.values(METADATA_TYPES).flat())
    visit(root.lookup(name) as protobuf.ReflectionObject);
  const out: protobuf.INamespace = { nested: {} };
  // Sorted by full name, so the output does not depend on the order types were reached.
  for (const obj of [...kept].sort((a, b) => a.fullName.localeCompare(b.fullName))) place(out, obj, kept);
  return out;
}

/** Put one kept type at its path, creating the namespaces (or parent messages) it sits in. */
function place(
  out: protobuf.INamespace,
  obj: protobuf.ReflectionObject,
  kept: Set<protobuf.ReflectionObject>,
): void {
  const chain: protobuf.ReflectionObject[] = [];
  for (let o: protobuf.ReflectionObject | null = obj; o?.parent; o = o.parent) chain.unshift(o);
  let ns = out;
  for (const o of chain.slice(0, -1)) {
    ns.nested ??= {};
    // A parent message that is not kept itself still holds the nested type: an empty shell.
    ns.nested[o.name] ??=
      o instanceof protobuf.Type && kept.has(o)
        ? stripped(o)
        : o instanceof protobuf.Type
          ? { fields: {} }
          : {};
    ns = ns.nested[o.name] as protobuf.INamespace;
  }
  ns.nested ??= {};
  const existing = ns.nested[obj.name] as protobuf.INamespace | undefined;
  ns.nested[obj.name] = { ...stripped(obj), ...(existing?.nested ? { nested: existing.nested } : {}) };
}

/** A type's JSON without nested types (placed separately) or options (annotations only). */
function stripped(obj: protobuf.ReflectionObject): protobuf.AnyNestedObject {
  if (obj instanceof protobuf.Enum) return { values: { ...obj.values } };
  const t = obj as protobuf.Type;
  const fields: Record<string, protobuf.IField & { rule?: string; keyType?: string }> = {};
  for (const f of t.fieldsArray) {
    fields[f.name] = {
      // Absolute (".google.protobuf.Timestamp"): a relative name could resolve elsewhere once pruned.
      type: f.resolvedType ? f.resolvedType.fullName : f.type,
      id: f.id,
      ...(f.repeated ? { rule: 'repeated' } : {}),
      ...(f instanceof protobuf.MapField ? { keyType: f.keyType } : {}),
    };
  }
  const oneofs = Object.fromEntries(
    t.oneofsArray.filter((o) => !o.name.startsWith('_')).map((o) => [o.name, { oneof: [...o.oneof] }]),
  );
  return { fields, ...(Object.keys(oneofs).length ? { oneofs } : {}) } as protobuf.AnyNestedObject;
}
