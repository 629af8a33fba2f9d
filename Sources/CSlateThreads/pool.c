// See include/CSlateThreads.h. The protocol between the caller (one job at a time, guarded by
// `busy`) and the workers:
//
//   caller                                   worker
//   generation = odd      (writing)          g = generation; wait while g is odd or already seen
//   wait until active == 0                   active += 1
//   write job fields                         if generation != g: active -= 1, start over
//   generation = even     (published)        claim parts with next_part += 1, run them
//   claim and run parts too                  active -= 1
//   wait until remaining == 0
//
// Setting `generation` odd before reading `active`, and incrementing `active` before re-reading
// `generation` (all sequentially consistent) means a worker either sees the caller writing and
// backs off, or the caller sees the worker and waits for it: no worker ever reads half-written
// job fields.
//
// Every wait above spins for a bounded *time* (`spin_ns`) and then blocks: on a futex on Linux,
// on a condition variable elsewhere. No wait calls sched_yield: under Linux's EEVDF scheduler a
// yield hands the core to any competing process for a whole time slice (milliseconds), so with
// one busy process beside it a yielding pool ran at about half speed. A thread that blocks
// instead frees its core, and a worker woken from a block preempts a CPU-bound competitor.
// Parts are claimed one at a time, so a part that a late (descheduled) worker has not started
// is taken over by whichever thread gets there first.
#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   // sched_getcpu, sched_getaffinity, CPU_COUNT
#endif
#include <linux/futex.h>
#include <sys/syscall.h>
#endif
#include "CSlateThreads.h"
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 63

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;   // starting workers
static _Atomic int started = 0;                                   // workers running

static atomic_flag busy = ATOMIC_FLAG_INIT;       // a job holds the pool
static _Atomic uint32_t generation = 0;           // odd while the caller writes the fields
static _Atomic uint32_t active = 0;               // workers inside the current job
static _Atomic uint32_t remaining = 0;            // parts of the current job not yet finished
static _Atomic long next_part = 0;                // the next part to claim
static _Atomic long spin_ns = 2000000;            // 2 ms of polling before blocking

static long job_parts = 0;                        // job fields, valid while `generation` is even
static int job_workers = 0;                       // workers allowed to join (threads - 1)
static slate_part_fn job_fn = 0;
static void *job_context = 0;
#ifdef __linux__
static int job_cpu = -1;                          // the caller's CPU when it published the job
#endif

static _Atomic int sleepers = 0;                  // workers blocked waiting for a job
static _Atomic int caller_blocked = 0;            // the caller is blocked on `remaining` or `active`

// Counters for Threads.statistics, on their own cache line so that counting never slows the
// lines the threads poll.
static _Alignas(64) _Atomic long stat_jobs = 0;
static _Atomic long stat_caller_blocks = 0, stat_worker_blocks = 0, stat_shared = 0;
static _Alignas(64) char stat_end;                // keeps what follows off the counters' line

static _Thread_local int inside_job = 0;          // set on workers and on a caller during its job

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");   // a hint to the core, not a call into the scheduler
#endif
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

// MARK: Blocking on a 32-bit word: a futex on Linux, one mutex and condition variable elsewhere.

#ifdef __linux__
/// Sleeps until woken, unless `*word` is no longer `value` (the kernel checks atomically).
static void block_while_equal(_Atomic uint32_t *word, uint32_t value) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}
/// Wakes every thread blocked on `word`.
static void wake_all(_Atomic uint32_t *word) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
#else
static pthread_mutex_t block_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t block_cond = PTHREAD_COND_INITIALIZER;
static void block_while_equal(_Atomic uint32_t *word, uint32_t value) {
    pthread_mutex_lock(&block_lock);
    if (atomic_load(word) == value) pthread_cond_wait(&block_cond, &block_lock);
    pthread_mutex_unlock(&block_lock);
}
static void wake_all(_Atomic uint32_t *word) {
    (void)word;                                   // the waker changed *word before calling this
    pthread_mutex_lock(&block_lock);
    pthread_cond_broadcast(&block_cond);
    pthread_mutex_unlock(&block_lock);
}
#endif

/// Polls `ready(word)` for `spin_ns` (not at all when 0), checking the clock every 64 polls, and then blocks on
/// `word` with `*flag` raised (a waker that changes `word` calls `wake_all` if it sees the
/// flag). Returns the last value read, for which `ready` held. Each block counts in `*blocks`.
static uint32_t wait_until(_Atomic uint32_t *word, int (*ready)(uint32_t, uint32_t), uint32_t arg,
                           _Atomic int *flag, _Atomic long *blocks) {
    uint32_t v = atomic_load(word);
    if (ready(v, arg)) return v;
    long spin = atomic_load(&spin_ns);
    if (spin > 0) {
        long deadline = 0;                        // read the clock only once a wait is not short
        for (long polls = 1;; polls++) {
            cpu_relax();
            if (ready(v = atomic_load(word), arg)) return v;
            if (polls % 64 == 0) {
                long now = now_ns();
                if (deadline == 0) deadline = now + spin; else if (now > deadline) break;
            }
        }
    }
    for (;;) {
        atomic_fetch_add(flag, 1);                // raise the flag, then look again (seq_cst):
        v = atomic_load(word);                    // a waker either sees the flag or we see its value
        if (!ready(v, arg)) { block_while_equal(word, v); atomic_fetch_add(blocks, 1); }
        atomic_fetch_sub(flag, 1);
        if (ready(v = atomic_load(word), arg)) return v;
    }
}

static int is_zero(uint32_t v, uint32_t unused) { (void)unused; return v == 0; }
static int is_new_job(uint32_t g, uint32_t seen) { return !(g & 1) && g != seen; }

// MARK: Keeping a worker off its caller's CPU
//
// On a quiet 2-core VM the kernel often woke the worker on the CPU of the caller that woke it
// (wake-affine placement): the two threads then shared one core, the worker's spin timed out
// on a core its caller needed, it blocked, was woken on the same core again, and whole runs of
// products went at one core's speed (`slate bench steady`: 52-90 of 200 repetitions over 1.5 ×
// the median). So a worker that joins a job on the CPU its caller published it from narrows its
// own affinity to the process's other CPUs, which moves it at once, and stays there until it
// finds itself on its caller's CPU again. The caller is never bound: the threads and processes
// a program starts keep the placement they had. (Pinning the caller and the workers to fixed
// CPUs, as OMP_PROC_BIND=close does, was as steady but binds the program's own thread.)
// SLATE_MOVE_WORKERS=0 in the environment turns the move off.

static pthread_once_t mask_once = PTHREAD_ONCE_INIT;
#ifdef __linux__
static cpu_set_t process_mask;                    // the process's CPUs, read when workers start
#endif
static int move_workers = 0;                      // 1: a worker on its caller's CPU moves

static void read_mask(void) {
#ifdef __linux__
    const char *setting = getenv("SLATE_MOVE_WORKERS");
    if (setting && setting[0] == '0') return;
    if (sched_getaffinity(0, sizeof process_mask, &process_mask) == 0 && CPU_COUNT(&process_mask) > 1) move_workers = 1;
#endif
}

/// Counts a job a worker joins on the CPU its caller published it from (the two sharing one
/// core) and moves the worker to the process's other CPUs (see above).
static void keep_off_callers_cpu(void) {
#ifdef __linux__
    int cpu = job_cpu;
    if (cpu < 0 || sched_getcpu() != cpu) return;
    atomic_fetch_add_explicit(&stat_shared, 1, memory_order_relaxed);
    if (!move_workers) return;
    cpu_set_t others = process_mask;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) > 0) pthread_setaffinity_np(pthread_self(), sizeof others, &others);
#endif
}

// MARK: Workers

static void run_parts(void) {
    for (;;) {
        long p = atomic_fetch_add(&next_part, 1);
        if (p >= job_parts) return;
        job_fn(job_context, p);
        if (atomic_fetch_sub(&remaining, 1) == 1 && atomic_load(&caller_blocked)) wake_all(&remaining);
    }
}

static void *worker_main(void *arg) {
    long index = (long)arg;                       // 0-based; joins jobs with more workers than this
    uint32_t seen = 0;
    inside_job = 1;                               // nested parallel calls run serially
    for (;;) {
        uint32_t g = wait_until(&generation, is_new_job, seen, &sleepers, &stat_worker_blocks);
        atomic_fetch_add(&active, 1);
        if (atomic_load(&generation) != g) {      // the caller started writing the next job
            if (atomic_fetch_sub(&active, 1) == 1 && atomic_load(&caller_blocked)) wake_all(&active);
            continue;
        }
        seen = g;
        if (index < job_workers) { keep_off_callers_cpu(); run_parts(); }
        if (atomic_fetch_sub(&active, 1) == 1 && atomic_load(&caller_blocked)) wake_all(&active);
    }
    return 0;
}

static void start_workers(int count) {
    pthread_once(&mask_once, read_mask);          // on the caller, before any worker moved
    pthread_mutex_lock(&start_lock);
    while (started < count && started < MAX_WORKERS) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, worker_main, (void *)(long)started) != 0) { pthread_attr_destroy(&attr); break; }
        pthread_attr_destroy(&attr);
        started += 1;
    }
    pthread_mutex_unlock(&start_lock);
}

// MARK: Public entry points

_Thread_local int slate_grad_disabled = 0;

static _Atomic int thread_count = 0;
int slate_thread_count(void) { return atomic_load_explicit(&thread_count, memory_order_relaxed); }
void slate_set_thread_count(int count) { atomic_store_explicit(&thread_count, count, memory_order_relaxed); }

void slate_set_spin_microseconds(long microseconds) {
    atomic_store(&spin_ns, microseconds < 0 ? 0 : microseconds * 1000);
}

long slate_spin_microseconds(void) { return atomic_load(&spin_ns) / 1000; }

int slate_available_cpus(void) {
#ifdef __linux__
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0 && CPU_COUNT(&mask) > 0) return CPU_COUNT(&mask);
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

void slate_pool_statistics(long counts[4]) {
    counts[0] = atomic_load(&stat_jobs);
    counts[1] = atomic_load(&stat_caller_blocks);
    counts[2] = atomic_load(&stat_worker_blocks);
    counts[3] = atomic_load(&stat_shared);
}

void slate_parallel_run(long parts, int threads, slate_part_fn fn, void *context) {
    if (parts <= 1 || threads <= 1 || parts > INT_MAX || inside_job || atomic_flag_test_and_set(&busy)) {
        for (long p = 0; p < parts; p++) fn(context, p);
        return;
    }
    int workers = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
    if (started < workers) start_workers(workers);
    if (workers > started) workers = started;

    uint32_t g = atomic_load(&generation);
    atomic_store(&generation, g + 1);             // odd: writing
    wait_until(&active, is_zero, 0, &caller_blocked, &stat_caller_blocks);
    job_parts = parts; job_workers = workers; job_fn = fn; job_context = context;
#ifdef __linux__
    job_cpu = sched_getcpu();
#endif
    atomic_store(&next_part, 0);
    atomic_store(&remaining, (uint32_t)parts);
    atomic_store(&generation, g + 2);             // even: published
    if (atomic_load(&sleepers) > 0) wake_all(&generation);
    atomic_fetch_add_explicit(&stat_jobs, 1, memory_order_relaxed);
    inside_job = 1;
    run_parts();
    inside_job = 0;
    wait_until(&remaining, is_zero, 0, &caller_blocked, &stat_caller_blocks);
    atomic_flag_clear(&busy);
}
