/**
 * The grpc-js module every part of transport/ uses: google-gax's own copy. gax makes the client
 * class (createStub), and the Metadata, status codes and credentials handed to that class must
 * come from the same copy — taking them from a top-level `@grpc/grpc-js` works only while npm
 * dedupes the two.
 */
import { grpc } from 'google-gax';

export { grpc };

/** The version of that copy, for `x-goog-api-client` (resolved from where gax resolves it). */
export function grpcVersion(): string {
  try {
    const gaxDir = require.resolve('google-gax');
    const pkg = require.resolve('@grpc/grpc-js/package.json', { paths: [gaxDir] });
    return (require(pkg) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
