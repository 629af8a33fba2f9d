// A fork-join pool of worker threads that spin briefly between jobs before sleeping.
//
// Slate's parallel loops are short (tens to hundreds of microseconds) and come back to back
// inside a training step. Waking a sleeping thread costs about as much as such a loop (35-45 µs
// measured for DispatchQueue.concurrentPerform on the 2-core VM), so the workers here keep
// polling for the next job for a while (as OpenMP runtimes do) and only then sleep. Written in
// C for its atomics: Swift 6.0 has no portable atomics without availability limits on macOS.
#ifndef CSLATETHREADS_H
#define CSLATETHREADS_H

/// One part of a job: `fn(context, part)`.
typedef void (*slate_part_fn)(void *context, long part);

/// Runs fn(context, p) for every p in 0..<parts on the calling thread and up to `threads - 1`
/// pool workers, returning when all parts are done. Runs serially on the caller when `parts`
/// or `threads` is at most 1, when called from inside a job, or while another thread's job
/// holds the pool.
void slate_parallel_run(long parts, int threads, slate_part_fn fn, void *context);

/// How long (µs) an idle worker polls for the next job before sleeping; 0 sleeps at once.
void slate_set_spin_microseconds(long microseconds);

#endif
