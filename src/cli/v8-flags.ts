import { setFlagsFromString } from 'node:v8'
import { v8FlagsFor } from './node-version.js'

/**
 * Garbage-collector settings for the node process, set by the CLI only (a library should not
 * change its host's V8 flags). A transfer allocates a stream of short-lived buffers (socket
 * reads, Noise output, pieces); with the defaults each few MiB of them forced a full
 * mark-compact of the whole ~25 MB heap, which cost more CPU than the transfer itself.
 *
 * - ArrayBuffer memory counts in the global heap limit rather than against a separate small
 *   external-memory limit;
 * - the heap may grow to 5x its live size before the next full collection;
 * - no "memory reducer": after a burst of allocation (hashing a file for `add`) it shrank
 *   the heap a few seconds later, and a transfer starting then paid for many more full
 *   collections (512 MiB took 2.5 s instead of 1.9 s). The heap stays at its high-water
 *   mark between transfers instead.
 *
 * Measured on a 512 MiB loopback transfer between two processes: full collections went from
 * about 80 (seeder) and 45 (leecher) to under 12 and 3, CPU per byte roughly halved, peak
 * RSS unchanged.
 *
 * One more flag must be given when node starts, so it is on the CLI's `#!` line:
 * `--max-semi-space-size=2` (MiB). The socket, Noise and disk buffers of a transfer die
 * young, but their small wrappers fill a large young generation only slowly, so their
 * memory waited for a scavenge: the default semi-space let each node hold 100+ MiB of dead
 * buffers (peak RSS 260-280 MiB for 512 MiB). With 2 MiB, scavenges come often, cost about
 * the same CPU per byte, and peak RSS is 130-145 MiB.
 *
 * Each flag is set only where the running V8 knows it (V8 prints "unrecognized flag" for
 * one it does not): the first only from Node 24 (V8 13.6); the list is in node-version.ts.
 */
for (const flag of v8FlagsFor(process.versions.v8)) setFlagsFromString(flag)
