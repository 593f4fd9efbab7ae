/*
 * One contender for a results folder's lock, for the lock test: waits until the given moment so
 * that every contender starts together, tries to take the lock, and holds it for a while if it got it.
 * Prints `held <ms after it got the lock> <ms before it let go>` or `refused <ms before it tried>`
 * (Date.now() values: a held span printed lies inside the span the lock was really held).
 */
import { lockResultsFolder } from '../../src/experiment/lock.js';

const [out, startAt, holdMs] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin: a timer would let the contenders drift apart by milliseconds.
}
const tried = Date.now();
try {
  const lock = lockResultsFolder(out);
  const got = Date.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(holdMs));
  const letGo = Date.now();
  lock.release();
  process.stdout.write(`held ${got} ${letGo}\n`);
} catch {
  process.stdout.write(`refused ${tried}\n`);
}
