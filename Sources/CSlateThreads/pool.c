// See include/CSlateThreads.h. The protocol between the caller (one job at a time, guarded by
// `busy`) and the workers:
//
//   caller                                   worker
//   generation = odd      (writing)          g = generation; wait while g is odd or already seen
//   wait until active == 0                   active += 1
//   write job fields                         if generation != g: active -= 1, start over
//   generation = even     (published)        claim parts with next_part += 1, run them
//   claim and run parts too                  active -= 1
//   wait until done == parts
//
// Setting `generation` odd before reading `active`, and incrementing `active` before re-reading
// `generation` (all sequentially consistent) means a worker either sees the caller writing and
// backs off, or the caller sees the worker and waits for it: no worker ever reads half-written
// job fields.
#include "CSlateThreads.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_WORKERS 63

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;   // starting workers
static _Atomic int started = 0;                                   // workers running

static atomic_flag busy = ATOMIC_FLAG_INIT;       // a job holds the pool
static _Atomic unsigned long generation = 0;      // odd while the caller writes the fields
static _Atomic long active = 0;                   // workers inside the current job
static _Atomic long next_part = 0, done_parts = 0;
static _Atomic long spin_ns = 100000;             // 100 µs of polling before sleeping

static long job_parts = 0;                        // job fields, valid while `generation` is even
static int job_workers = 0;                       // workers allowed to join (threads - 1)
static slate_part_fn job_fn = 0;
static void *job_context = 0;

static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static _Atomic int sleepers = 0;

static _Thread_local int inside_job = 0;          // set on workers and on a caller during its job

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// One step of a wait: a pause instruction for the first polls, then sched_yield, so that when
/// the machine is oversubscribed the thread being waited for can have this core.
static inline void wait_step(long *polls) {
    if (++*polls < 256) cpu_relax(); else sched_yield();
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static void run_parts(void) {
    for (;;) {
        long p = atomic_fetch_add(&next_part, 1);
        if (p >= job_parts) return;
        job_fn(job_context, p);
        atomic_fetch_add(&done_parts, 1);
    }
}

static void *worker_main(void *arg) {
    long index = (long)arg;                       // 0-based; joins jobs with more workers than this
    unsigned long seen = 0;
    inside_job = 1;                               // nested parallel calls run serially
    for (;;) {
        unsigned long g = atomic_load(&generation);
        if ((g & 1) || g == seen) {
            long deadline = now_ns() + atomic_load(&spin_ns);
            long polls = 0;
            while (((g = atomic_load(&generation)) & 1) || g == seen) {
                wait_step(&polls);
                if (polls % 64 == 0 && now_ns() > deadline) {
                    pthread_mutex_lock(&sleep_lock);
                    atomic_fetch_add(&sleepers, 1);
                    while (((g = atomic_load(&generation)) & 1) || g == seen) pthread_cond_wait(&wake, &sleep_lock);
                    atomic_fetch_sub(&sleepers, 1);
                    pthread_mutex_unlock(&sleep_lock);
                }
            }
        }
        atomic_fetch_add(&active, 1);
        if (atomic_load(&generation) != g) { atomic_fetch_sub(&active, 1); continue; }
        seen = g;
        if (index < job_workers) run_parts();
        atomic_fetch_sub(&active, 1);
    }
    return 0;
}

static void start_workers(int count) {
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

_Thread_local int slate_grad_disabled = 0;

static _Atomic int thread_count = 0;
int slate_thread_count(void) { return atomic_load_explicit(&thread_count, memory_order_relaxed); }
void slate_set_thread_count(int count) { atomic_store_explicit(&thread_count, count, memory_order_relaxed); }

void slate_set_spin_microseconds(long microseconds) {
    atomic_store(&spin_ns, microseconds < 0 ? 0 : microseconds * 1000);
}

void slate_parallel_run(long parts, int threads, slate_part_fn fn, void *context) {
    if (parts <= 1 || threads <= 1 || inside_job || atomic_flag_test_and_set(&busy)) {
        for (long p = 0; p < parts; p++) fn(context, p);
        return;
    }
    int workers = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
    if (started < workers) start_workers(workers);
    if (workers > started) workers = started;

    unsigned long g = atomic_load(&generation);
    atomic_store(&generation, g + 1);             // odd: writing
    long polls = 0;
    while (atomic_load(&active) != 0) wait_step(&polls);
    job_parts = parts; job_workers = workers; job_fn = fn; job_context = context;
    atomic_store(&next_part, 0);
    atomic_store(&done_parts, 0);
    atomic_store(&generation, g + 2);             // even: published
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    inside_job = 1;
    run_parts();
    inside_job = 0;
    polls = 0;
    while (atomic_load(&done_parts) < parts) wait_step(&polls);
    atomic_flag_clear(&busy);
}
