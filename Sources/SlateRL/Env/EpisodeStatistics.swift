/// Running episode returns and lengths for one or many environments, as Gymnasium's
/// `RecordEpisodeStatistics`: accumulate every reward, and when an episode ends (terminated *or*
/// truncated) emit its `EpisodeRecord` and remember it in a window of recent episodes.
public struct EpisodeStatistics: Sendable {
    /// Return so far of the episode running in each env.
    public private(set) var runningReturns: [Double]
    /// Length so far of the episode running in each env.
    public private(set) var runningLengths: [Int]
    /// The last `windowSize` finished episodes, oldest first.
    public private(set) var recent: [EpisodeRecord] = []
    /// How many finished episodes `recent` keeps (Gymnasium's `buffer_length`, default 100).
    public let windowSize: Int
    /// Number of episodes finished so far.
    public private(set) var episodeCount = 0

    public init(numEnvs: Int = 1, windowSize: Int = 100) {
        runningReturns = Array(repeating: 0, count: numEnvs)
        runningLengths = Array(repeating: 0, count: numEnvs)
        self.windowSize = windowSize
    }

    /// Statistics as a checkpoint saved them; throws ``EnvironmentSnapshotError`` when the parts
    /// disagree (different env counts, a negative length, more recent episodes than the window).
    public init(runningReturns: [Double], runningLengths: [Int], recent: [EpisodeRecord], episodeCount: Int,
                windowSize: Int) throws {
        guard runningReturns.count == runningLengths.count, runningLengths.allSatisfy({ $0 >= 0 }),
              recent.count <= windowSize, episodeCount >= recent.count else {
            throw EnvironmentSnapshotError("saved episode statistics are inconsistent (\(runningReturns.count) returns, \(runningLengths.count) lengths, \(recent.count) recent of \(episodeCount) episodes)")
        }
        self.runningReturns = runningReturns
        self.runningLengths = runningLengths
        self.recent = recent
        self.episodeCount = episodeCount
        self.windowSize = windowSize
    }

    /// Forgets the running episode of env `index` (after a manual reset).
    public mutating func resetEpisode(_ index: Int) {
        runningReturns[index] = 0
        runningLengths[index] = 0
    }

    /// Adds one step of env `index`; returns the finished episode's record when `done`.
    public mutating func record(_ index: Int, reward: Double, done: Bool) -> EpisodeRecord? {
        runningReturns[index] += reward
        runningLengths[index] += 1
        guard done else { return nil }
        let finished = EpisodeRecord(episodicReturn: runningReturns[index], length: runningLengths[index])
        resetEpisode(index)
        episodeCount += 1
        recent.append(finished)
        if recent.count > windowSize { recent.removeFirst(recent.count - windowSize) }
        return finished
    }

    /// Mean return of the recent window (`nil` before the first finished episode).
    public var meanRecentReturn: Double? {
        recent.isEmpty ? nil : recent.reduce(0) { $0 + $1.episodicReturn } / Double(recent.count)
    }

    /// Mean length of the recent window (`nil` before the first finished episode).
    public var meanRecentLength: Double? {
        recent.isEmpty ? nil : Double(recent.reduce(0) { $0 + $1.length }) / Double(recent.count)
    }
}

/// Wraps one environment and reports each finished episode in `StepResult.info.episode`,
/// as Gymnasium's `RecordEpisodeStatistics` wrapper does with `info["episode"]`.
public final class RecordEpisodeStatistics: Environment {
    /// The wrapped environment.
    public let inner: any Environment
    /// Returns and lengths so far.
    public private(set) var statistics: EpisodeStatistics

    public init(_ inner: any Environment, windowSize: Int = 100) {
        self.inner = inner
        statistics = EpisodeStatistics(numEnvs: 1, windowSize: windowSize)
    }

    public var id: String { inner.id }
    public var observationSpace: BoxSpace { inner.observationSpace }
    public var actionSpace: DiscreteSpace { inner.actionSpace }
    public var maxEpisodeSteps: Int? { inner.maxEpisodeSteps }
    public var elapsedSteps: Int { inner.elapsedSteps }
    public func render() -> String { inner.render() }

    /// The record of the episode finished by the last `step`, if it finished one.
    public private(set) var lastEpisode: EpisodeRecord?

    public func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        statistics.resetEpisode(0)
        lastEpisode = nil
        return inner.reset(seed: seed, into: observation)
    }

    public func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        let t = inner.step(action, into: observation)
        lastEpisode = statistics.record(0, reward: t.reward, done: t.done)
        return t
    }

    /// Like `Environment.step(_:)`, with `info.episode` set on the step that ends an episode.
    public func step(_ action: Int) -> StepResult {
        var obs = [Float](repeating: 0, count: observationSpace.flatDimension)
        let t = obs.withUnsafeMutableBufferPointer { step(action, into: $0) }
        return StepResult(observation: obs, reward: t.reward, terminated: t.terminated,
                          truncated: t.truncated, info: StepInfo(episode: lastEpisode))
    }
}
