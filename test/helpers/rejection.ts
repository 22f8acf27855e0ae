import { OperationsError } from '../../src';

/** Await `p` and return the OperationsError it rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<OperationsError> {
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    if (!(e instanceof OperationsError))
      throw new Error(`expected an OperationsError, got ${String(e)}`, { cause: e });
    return e;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
}
