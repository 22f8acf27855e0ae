'use strict';
// Loopback-only guard, preloaded by jest (setupFiles) and by every child process the tests
// spawn (NODE_OPTIONS=--require). Any TCP connection or DNS lookup to a host that is not
// loopback throws at once, so no test can reach out — not even google-auth-library's
// metadata-server probe (169.254.169.254 / metadata.google.internal).
// Plain JS on purpose: child processes `--require` it without a TypeScript loader.
const net = require('node:net');
const dns = require('node:dns');

process.env.METADATA_SERVER_DETECTION = 'none';

const GUARD = Symbol.for('lro-cancel.loopbackGuard');
if (!globalThis[GUARD]) {
  globalThis[GUARD] = true;

  const isLoopback = (host) => {
    if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
    const h = String(host)
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    if (/^127\.\d+\.\d+\.\d+$/.test(h)) return true;
    if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
    return false;
  };
  const refuse = (what, host) => {
    const err = new Error(`loopback-only guard: refused ${what} to non-loopback host "${host}"`);
    err.code = 'ELOOPBACKONLY';
    process.stderr.write(`${err.message}\n`);
    return err;
  };

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    let host;
    const first = args[0];
    if (Array.isArray(first)) {
      host = first[0]?.host; // internal normalized form
    } else if (first !== null && typeof first === 'object') {
      if (first.path === undefined) host = first.host;
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      host = typeof args[1] === 'string' ? args[1] : undefined;
    }
    if (!isLoopback(host)) throw refuse('connection', host);
    return connect.apply(this, args);
  };

  const wrapLookup = (obj, name) => {
    const original = obj[name];
    if (typeof original !== 'function') return;
    obj[name] = function guardedLookup(hostname, ...rest) {
      if (!isLoopback(hostname)) throw refuse(`DNS ${name}`, hostname);
      return original.call(this, hostname, ...rest);
    };
  };
  for (const name of [
    'lookup',
    'resolve',
    'resolve4',
    'resolve6',
    'resolveAny',
    'resolveSrv',
    'resolveTxt',
  ]) {
    wrapLookup(dns, name);
    wrapLookup(dns.promises, name);
  }
  if (dns.Resolver) {
    for (const name of ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveSrv', 'resolveTxt']) {
      wrapLookup(dns.Resolver.prototype, name);
    }
  }
  if (dns.promises.Resolver) {
    for (const name of ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveSrv', 'resolveTxt']) {
      wrapLookup(dns.promises.Resolver.prototype, name);
    }
  }
}
