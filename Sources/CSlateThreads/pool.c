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
// is taken over by whichever thread gets there first. A part another process's thread keeps
// off its core is handled below (MARK: Stalled parts).
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

#ifdef __linux__
static pthread_t job_caller;                      // the thread that published the job
#endif
static _Atomic int caller_in_part = 0;            // the caller is running one of the job's parts
static _Atomic int worker_in_part[MAX_WORKERS];   // worker i is running one of the job's parts

static _Atomic int sleepers = 0;                  // workers blocked waiting for a job
static _Atomic int caller_blocked = 0;            // the caller is blocked on `remaining` or `active`

// Counters for Threads.statistics, on their own cache line so that counting never slows the
// lines the threads poll.
static _Alignas(64) _Atomic long stat_jobs = 0;
static _Atomic long stat_caller_blocks = 0, stat_worker_blocks = 0, stat_shared = 0, stat_stalls = 0;
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

/// Polls `ready(word)` for `spin` nanoseconds (not at all when 0), checking the clock every 64
/// polls, and then blocks on `word` with `*flag` raised (a waker that changes `word` calls
/// `wake_all` if it sees the flag). At each clock check `give_up(context)`, when given, may end
/// the polling early by returning nonzero. Returns the last value read, for which `ready` held.
/// Each block counts in `*blocks`.
static uint32_t wait_until(_Atomic uint32_t *word, int (*ready)(uint32_t, uint32_t), uint32_t arg,
                           _Atomic int *flag, _Atomic long *blocks, long spin,
                           int (*give_up)(void *), void *context) {
    uint32_t v = atomic_load(word);
    if (ready(v, arg)) return v;
    if (spin > 0) {
        long deadline = 0;                        // read the clock only once a wait is not short
        for (long polls = 1;; polls++) {
            cpu_relax();
            if (ready(v = atomic_load(word), arg)) return v;
            if (polls % 64 == 0) {
                long now = now_ns();
                if (deadline == 0) deadline = now + spin; else if (now > deadline) break;
                if (give_up && give_up(context)) break;
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

// MARK: Stalled parts
//
// Beside a CPU-bound process, the scheduler now and then gives that process one of our cores
// for a whole time slice (1.5 ms on a 2-core machine under EEVDF). Whoever was running a part
// on that core keeps it unfinished all that time, and the thread waiting for it spins on the
// other core: a fork-join step loses the slice twice over. So a thread that waits for a part
// watches the CPU time of the thread running it (its thread CPU clock). If that thread ran for
// less than half of the last 100 µs, it is runnable but held off its core: the waiting thread
// moves it onto its own CPU and blocks, freeing that CPU for it.
//   - The caller waiting for a worker's part narrows that worker's affinity to the caller's CPU;
//     the worker moves off again at its next job (keep_off_callers_cpu).
//   - A worker whose parts are done while the caller's part stalls narrows the caller's
//     affinity to the worker's CPU and blocks; the caller restores its own affinity before it
//     returns, so the program's thread leaves every job with the affinity it came with.
// A worker that finds itself on its caller's CPU after its parts blocks at once instead of
// polling, so the caller it woke gets that CPU. SLATE_MOVE_WORKERS=0 turns all of this off.

#define STALL_WINDOW_NS 100000L

#ifdef __linux__
/// Another thread's CPU time against the wall clock, sampled once per window.
typedef struct { clockid_t clock; long cpu, wall; } progress_watch;

static long thread_cpu_ns(clockid_t clock) {
    struct timespec t;
    if (clock_gettime(clock, &t) != 0) return -1;
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

/// A watch not started yet: the first `watch_stalled` starts it. Waits that end before their
/// first look at the clock (most of them) then read no thread clock, which costs a system call.
static const progress_watch unstarted_watch = { 0, 0, 0 };

static void watch_start(progress_watch *w, pthread_t thread) {
    if (pthread_getcpuclockid(thread, &w->clock) != 0) { w->wall = -1; return; }
    w->cpu = thread_cpu_ns(w->clock);
    w->wall = now_ns();
}

/// 1 when `thread` ran for less than half of the watch window that just ended; 0 while the
/// window is open, the watch was only now started, or it ran. Each ended window starts the next.
static int watch_stalled(progress_watch *w, pthread_t thread) {
    if (w->wall == 0) { watch_start(w, thread); return 0; }
    if (w->wall < 0) return 0;
    long wall = now_ns();
    if (wall - w->wall < STALL_WINDOW_NS) return 0;
    long cpu = thread_cpu_ns(w->clock);
    int stalled = cpu >= 0 && w->cpu >= 0 && 2 * (cpu - w->cpu) < wall - w->wall;
    w->cpu = cpu; w->wall = wall;
    return stalled;
}

/// Narrows `thread`'s affinity to the calling thread's CPU, which moves it there at once.
static void move_onto_my_cpu(pthread_t thread) {
    cpu_set_t mine;
    CPU_ZERO(&mine);
    CPU_SET(sched_getcpu(), &mine);
    pthread_setaffinity_np(thread, sizeof mine, &mine);
    atomic_fetch_add_explicit(&stat_stalls, 1, memory_order_relaxed);
}

static pthread_t worker_thread[MAX_WORKERS];
static progress_watch worker_watch[MAX_WORKERS];  // the caller's watches, one job at a time

/// The caller's `give_up` while it waits for the workers' parts: moves the first worker whose
/// part stalls onto the caller's CPU, and then the caller blocks.
static int caller_pulls_a_stalled_worker(void *unused) {
    (void)unused;
    for (int i = 0; i < job_workers; i++) {
        if (!atomic_load(&worker_in_part[i])) { worker_watch[i] = unstarted_watch; continue; }
        if (watch_stalled(&worker_watch[i], worker_thread[i])) { move_onto_my_cpu(worker_thread[i]); return 1; }
    }
    return 0;
}

static _Atomic int caller_moved = 0;              // a worker narrowed the caller's affinity
static cpu_set_t caller_mask;                     // the caller's affinity before that

/// A worker whose parts are done: while the caller runs a part of the same job (`generation`
/// still `g`), watches it; if it stalls, moves it onto this worker's CPU and returns 1 (the
/// worker then blocks at once).
static int worker_pulls_a_stalled_caller(uint32_t g) {
    progress_watch w = unstarted_watch;
    for (long polls = 1; atomic_load(&caller_in_part) && atomic_load(&generation) == g; polls++) {
        cpu_relax();
        if (polls % 64 != 0 || !watch_stalled(&w, job_caller)) continue;
        int expected = 0;
        if (!atomic_compare_exchange_strong(&caller_moved, &expected, 1)) return 1;  // another worker did
        pthread_getaffinity_np(job_caller, sizeof caller_mask, &caller_mask);
        move_onto_my_cpu(job_caller);
        return 1;
    }
    return 0;
}

/// The caller, before it returns: restores the affinity a worker narrowed during the job.
static void caller_restores_its_affinity(void) {
    if (atomic_load(&caller_moved)) {
        pthread_setaffinity_np(pthread_self(), sizeof caller_mask, &caller_mask);
        atomic_store(&caller_moved, 0);
    }
}
#endif

// MARK: Workers

/// Claims and runs parts until none are left; `index` is the worker's, -1 for the caller.
static void run_parts(int index) {
    _Atomic int *in_part = index < 0 ? &caller_in_part : &worker_in_part[index];
    for (;;) {
        long p = atomic_fetch_add(&next_part, 1);
        if (p >= job_parts) return;
        atomic_store(in_part, 1);
        job_fn(job_context, p);
        atomic_store(in_part, 0);
        if (atomic_fetch_sub(&remaining, 1) == 1 && atomic_load(&caller_blocked)) wake_all(&remaining);
    }
}

static void *worker_main(void *arg) {
    long index = (long)arg;                       // 0-based; joins jobs with more workers than this
    uint32_t seen = 0;
    long spin = atomic_load(&spin_ns);
    inside_job = 1;                               // nested parallel calls run serially
    for (;;) {
        uint32_t g = wait_until(&generation, is_new_job, seen, &sleepers, &stat_worker_blocks, spin, 0, 0);
        spin = atomic_load(&spin_ns);
        atomic_fetch_add(&active, 1);
        if (atomic_load(&generation) != g) {      // the caller started writing the next job
            if (atomic_fetch_sub(&active, 1) == 1 && atomic_load(&caller_blocked)) wake_all(&active);
            continue;
        }
        seen = g;
        if (index < job_workers) {
            keep_off_callers_cpu();
            run_parts((int)index);
#ifdef __linux__
            if (move_workers) {                   // see MARK: Stalled parts
                if (worker_pulls_a_stalled_caller(g) || sched_getcpu() == job_cpu) spin = 0;
            }
#endif
        }
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
#ifdef __linux__
        worker_thread[started] = t;               // written before `started` counts the worker in
#endif
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

void slate_pool_statistics(long counts[5]) {
    counts[0] = atomic_load(&stat_jobs);
    counts[1] = atomic_load(&stat_caller_blocks);
    counts[2] = atomic_load(&stat_worker_blocks);
    counts[3] = atomic_load(&stat_shared);
    counts[4] = atomic_load(&stat_stalls);
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
    long spin = atomic_load(&spin_ns);
    wait_until(&active, is_zero, 0, &caller_blocked, &stat_caller_blocks, spin, 0, 0);
    job_parts = parts; job_workers = workers; job_fn = fn; job_context = context;
#ifdef __linux__
    job_cpu = sched_getcpu();
    job_caller = pthread_self();
    for (int i = 0; i < workers; i++) worker_watch[i] = unstarted_watch;
#endif
    atomic_store(&next_part, 0);
    atomic_store(&remaining, (uint32_t)parts);
    atomic_store(&generation, g + 2);             // even: published
    if (atomic_load(&sleepers) > 0) wake_all(&generation);
    atomic_fetch_add_explicit(&stat_jobs, 1, memory_order_relaxed);
    inside_job = 1;
    run_parts(-1);
    inside_job = 0;
#ifdef __linux__
    int (*pull)(void *) = move_workers ? caller_pulls_a_stalled_worker : 0;
#else
    int (*pull)(void *) = 0;
#endif
    wait_until(&remaining, is_zero, 0, &caller_blocked, &stat_caller_blocks, spin, pull, 0);
#ifdef __linux__
    if (move_workers) {                           // no worker may still be moving this thread
        wait_until(&active, is_zero, 0, &caller_blocked, &stat_caller_blocks, spin, 0, 0);
        caller_restores_its_affinity();
    }
#endif
    atomic_flag_clear(&busy);
}
