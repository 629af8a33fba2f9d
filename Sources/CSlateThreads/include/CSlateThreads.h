// A fork-join pool of worker threads that spin briefly between jobs before blocking.
//
// Slate's parallel loops are short (tens to hundreds of microseconds) and come back to back
// inside a training step. Waking a sleeping thread costs about as much as such a loop (35-45 µs
// measured for DispatchQueue.concurrentPerform on the 2-core VM), so every wait here (a worker
// waiting for the next job, the caller waiting for the workers) first polls for a bounded time,
// as OpenMP runtimes do (GOMP_SPINCOUNT, KMP_BLOCKTIME), and then blocks (a futex on Linux, a
// condition variable elsewhere), so a thread that is not getting a core never holds the others.
// Written in C for its atomics: Swift 6.0 has no portable atomics without availability limits
// on macOS.
#ifndef CSLATETHREADS_H
#define CSLATETHREADS_H

/// One part of a job: `fn(context, part)`.
typedef void (*slate_part_fn)(void *context, long part);

/// Runs fn(context, p) for every p in 0..<parts on the calling thread and up to `threads - 1`
/// pool workers, returning when all parts are done. Runs serially on the caller when `parts`
/// or `threads` is at most 1, when called from inside a job, or while another thread's job
/// holds the pool.
void slate_parallel_run(long parts, int threads, slate_part_fn fn, void *context);

/// How long (µs) a waiting thread polls before blocking; 0 blocks at once. Default 2000.
void slate_set_spin_microseconds(long microseconds);
long slate_spin_microseconds(void);

/// The CPUs this process may run on: its affinity mask on Linux (taskset, cgroup cpusets,
/// an MPI launcher's binding), the online processors elsewhere.
int slate_available_cpus(void);

/// Counts since start: [0] jobs run in parallel, [1] times the caller blocked waiting for
/// workers, [2] times a worker blocked waiting for a job, [3] jobs a worker joined on the CPU
/// its caller published them from (the two sharing one core; the worker then moves to the
/// process's other CPUs unless SLATE_MOVE_WORKERS=0), [4] stalled parts: times a thread
/// waiting for a part moved the thread running it, held off its core, onto its own CPU.
void slate_pool_statistics(long counts[5]);

// Grad mode, per thread: nonzero while ops on this thread must not record their backward
// (Slate's `withNoGrad`). A C thread-local because Swift 6.0 has no thread-local storage for
// plain threads (`@TaskLocal` follows tasks, not threads); read inline it costs about 0.5 ns,
// against 7 ns for a pthread key and 2 µs for Foundation's threadDictionary (measured).
extern _Thread_local int slate_grad_disabled;

/// Whether ops on the calling thread record their backward.
static inline int slate_grad_enabled(void) { return !slate_grad_disabled; }

/// Switches recording on the calling thread on (1) or off (0); returns the previous setting.
static inline int slate_set_grad_enabled(int enabled) {
    int previous = !slate_grad_disabled;
    slate_grad_disabled = !enabled;
    return previous;
}

/// The number of threads Slate's kernels split work over (`Threads.count`), read and set
/// atomically: any thread may read it while another sets it. 0 until first set.
int slate_thread_count(void);
void slate_set_thread_count(int count);

#endif
