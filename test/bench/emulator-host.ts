/**
 * The emulator process of the bench (forked with IPC by run-bench). It hosts the Operations
 * emulator(s), so the clients' CPU is measured in their own processes, alone. The parent starts
 * an emulator per scenario (max concurrent streams is a server setting), sets faults, seeds names
 * and reads counters through the messages of `EmulatorRequest`.
 */
import type { OperationsEmulator } from '../../src/emulator/index';
import {
  fiveServiceName,
  loadEmulator,
  opName,
  type EmulatorRequest,
  type ServerCounters,
  type VerifyResult,
} from './lib';

const { startOperationsEmulator } = loadEmulator();
const emulators = new Map<number, OperationsEmulator>();
const cpuMarks = new Map<number, NodeJS.CpuUsage>();
let nextHandle = 1;

function get(handle: number): OperationsEmulator {
  const e = emulators.get(handle);
  if (!e) throw new Error(`no emulator ${handle}`);
  return e;
}

async function handle(req: EmulatorRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'start': {
      const emulator = await startOperationsEmulator({ recordCalls: false, ...req.options });
      const h = nextHandle++;
      emulators.set(h, emulator);
      return { handle: h, target: emulator.target, restTarget: req.options.rest ? emulator.restTarget : '' };
    }
    case 'gc':
      // Between runs: the previous run's operations are garbage, and must not be collected
      // (on the emulator's CPU) during the next client's run. Forked with --expose-gc.
      (globalThis as { gc?: () => void }).gc?.();
      return null;
    case 'stop':
      await get(req.handle).stop();
      emulators.delete(req.handle);
      return null;
    case 'faults': {
      const e = get(req.handle);
      // `keep`: a change mid-run (the quota's bucket keeps its tokens).
      if (!req.keep) e.clearFaults();
      if (req.faults) e.setFaults('*', req.faults, { keepQuotaBucket: req.keep === true });
      return null;
    }
    case 'seed': {
      const e = get(req.handle);
      if (req.clear) e.store.clear();
      for (let i = 0; i < req.count; i++) {
        const name = req.fiveServices ? fiveServiceName(req.prefix, i).relative : opName(req.prefix, i);
        e.store.seed({ name, onCancel: req.onCancel ?? 'cancel' });
      }
      return e.store.size;
    }
    case 'reset': {
      const e = get(req.handle);
      e.counts.clear();
      e.codeCounts.clear();
      e.peers.clear();
      cpuMarks.set(req.handle, process.cpuUsage());
      return null;
    }
    case 'counters': {
      const e = get(req.handle);
      const cpu = process.cpuUsage(cpuMarks.get(req.handle));
      const out: ServerCounters = {
        cancelCalls: e.counts.get('CancelOperation') ?? 0,
        byCode: Object.fromEntries([...e.codeCounts].map(([code, n]) => [String(code), n])),
        connections: e.peers.size,
        cpuUs: cpu.user + cpu.system,
      };
      return out;
    }
    case 'verify': {
      const e = get(req.handle);
      const out: VerifyResult = { total: 0, cancelled: 0 };
      for (let i = 0; i < req.count; i++) {
        const op = e.store.get(
          req.fiveServices ? fiveServiceName(req.prefix, i).relative : opName(req.prefix, i),
        );
        if (!op) continue;
        out.total++;
        if (op.cancelRequests > 0 && (op.onCancel === 'ignore' || (op.done && op.error?.code === 1)))
          out.cancelled++;
      }
      return out;
    }
  }
}

process.on('message', (msg: { id: number; req: EmulatorRequest }) => {
  handle(msg.req).then(
    (result) => process.send?.({ id: msg.id, ok: true, result }),
    (e: unknown) => process.send?.({ id: msg.id, ok: false, error: String((e as Error)?.stack ?? e) }),
  );
});
process.on('disconnect', () => {
  for (const e of emulators.values()) void e.stop();
  process.exit(0);
});
process.send?.({ id: 0, ok: true, result: 'ready' });
