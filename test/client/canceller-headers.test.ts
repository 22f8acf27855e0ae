import { createCanceller, VERSION } from '../../src';
import { API_CLIENT_HEADER, routingParams } from '../../src/transport/operations-stub';
import { useEmulator } from '../helpers/emulator';

// x-goog-request-params and x-goog-api-client on every call, as the emulator received them.

const emu = useEmulator();

test('routingParams percent-encodes the value like gax (encodeURIComponent)', () => {
  expect(routingParams('name', 'projects/p/operations/o')).toBe('name=projects%2Fp%2Foperations%2Fo');
  expect(routingParams('name', 'a&b=c%d?e#f+g')).toBe('name=a%26b%3Dc%25d%3Fe%23f%2Bg');
  expect(routingParams('name', 'é☃')).toBe('name=%C3%A9%E2%98%83');
});

test('the api-client header names lro-cancel and its version, plus node and grpc-js', () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  expect(API_CLIENT_HEADER).toContain(`lro-cancel/${VERSION}`);
  expect(API_CLIENT_HEADER).toContain(`gl-node/${process.versions.node}`);
  expect(API_CLIENT_HEADER).toMatch(/grpc\/\d+\.\d+\.\d+/);
});

test('every call carries x-goog-request-params: name=<percent-encoded> and x-goog-api-client, including retries', async () => {
  const e = emu.get();
  const names = [
    'projects/p/locations/us-central1/operations/op-1',
    'projects/my-proj/locations/europe-west4/operations/a&b=c%d+e',
    'projects/p/locations/l/operations/caf\u00e9-\u2603',
    'projects/p/locations/l/operations/x?y#z',
  ];
  for (const name of names) e.store.seed({ name, service: 'dataplex', failTimes: 1 });
  const c = createCanceller({ emulator: e.target, service: 'dataplex', retry: { initialDelayMs: 5 } });
  try {
    for (const name of names) {
      const r = await c.cancel(name);
      expect(r.attempts).toBe(2);
    }
  } finally {
    await c.close();
  }
  const calls = e.callsOf('CancelOperation');
  expect(calls).toHaveLength(names.length * 2);
  for (const call of calls) {
    expect(call.requestParams).toBe(`name=${encodeURIComponent(call.name)}`);
    // what a front end decodes is exactly the name in the request body
    expect(decodeURIComponent(call.requestParams!.slice('name='.length))).toBe(call.name);
    expect(call.requestParams).not.toContain('/');
    expect(call.apiClient).toBe(API_CLIENT_HEADER);
    expect(call.apiClient).toContain(`lro-cancel/${VERSION}`);
  }
  expect(calls.map((x) => x.name)).toEqual(names.flatMap((n) => [n, n]));
  expect(calls[2]!.requestParams).toBe(
    'name=projects%2Fmy-proj%2Flocations%2Feurope-west4%2Foperations%2Fa%26b%3Dc%25d%2Be',
  );
  expect(calls[4]!.requestParams).toBe(
    'name=projects%2Fp%2Flocations%2Fl%2Foperations%2Fcaf%C3%A9-%E2%98%83',
  );
});

test('the routing header carries the relative name, not the //host full name', async () => {
  const e = emu.get();
  const name = 'projects/p/operations/o';
  e.store.seed({ name, service: 'datastore' });
  const c = createCanceller({ emulator: e.target });
  try {
    await c.cancel(`//datastore.googleapis.com/${name}`);
  } finally {
    await c.close();
  }
  const [call] = e.callsOf('CancelOperation');
  expect(call!.name).toBe(name);
  expect(call!.requestParams).toBe('name=projects%2Fp%2Foperations%2Fo');
  expect(call!.authority).toBe('datastore.googleapis.com');
});

test('failed calls carry the headers too', async () => {
  const e = emu.get();
  e.setFaults('*', { denied: true });
  const c = createCanceller({ emulator: e.target });
  try {
    await expect(
      c.cancel('//privateca.googleapis.com/projects/p/locations/l/operations/o'),
    ).rejects.toMatchObject({ outcome: 'denied' });
  } finally {
    await c.close();
  }
  const [call] = e.calls;
  expect(call!.requestParams).toBe('name=projects%2Fp%2Flocations%2Fl%2Foperations%2Fo');
  expect(call!.apiClient).toContain('lro-cancel/');
});
