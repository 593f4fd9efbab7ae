/*
 * One contender for a results folder's lock, for the lock test: waits until the given moment so
 * that every contender starts together, tries to take the lock, and holds it for a while if it got it.
 * Prints `held` or `refused`.
 */
import { lockResultsFolder } from '../../src/experiment/lock.js';

const [out, startAt, holdMs] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin: a timer would let the contenders drift apart by milliseconds.
}
try {
  const lock = lockResultsFolder(out);
  process.stdout.write('held\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(holdMs));
  lock.release();
} catch {
  process.stdout.write('refused\n');
}
