import * as path from 'node:path';

/**
 * Folder holding the pinned googleapis .proto files (see protos/README.md).
 * `src/proto` and `dist/proto` sit at the same depth, so one relative path works
 * from sources (tests) and from the build.
 */
export const PROTOS_DIR = path.resolve(__dirname, '..', '..', 'protos');

/** The files the client and the emulator load. */
export const OPERATIONS_PROTO = 'google/longrunning/operations.proto';
export const ERROR_DETAILS_PROTO = 'google/rpc/error_details.proto';
