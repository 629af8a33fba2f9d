import ArgumentParser
import Slate

/// `--threads N`, the one thread option of every command that computes: trainers get it through
/// ``RunOptions``; other commands add `@OptionGroup var threads: ThreadsOption` and call
/// `threads.apply()` at the start of `run()`.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads for Slate's kernels (default: SLATE_NUM_THREADS, else all cores); results are repeatable for a given seed and thread count.")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1 (got \(threads)); omit it to use all \(Threads.cores) cores.")
        }
    }

    /// Sets `Threads.count` when `--threads` was given.
    func apply() {
        if let threads { Threads.count = threads }
    }
}
