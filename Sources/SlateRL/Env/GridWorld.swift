import Foundation

/// Thrown for a GridWorld layout that cannot be played.
public struct GridWorldLayoutError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public var description: String { "invalid GridWorld layout: \(message)" }
    public var errorDescription: String? { description }
}

/// A small deterministic grid maze, drawn from text:
/// `#` wall, `.` floor, `S` start, `G` goal (+1, terminates), `X` pit (−1, terminates).
/// Every other step costs `stepReward` (−0.01). Walls and the border block moves.
///
/// - Observation: one-hot of the agent's cell, `rows × columns` floats.
/// - Actions: 0 up, 1 right, 2 down, 3 left. With `slipProbability > 0` the move is replaced by a
///   random one with that probability (drawn from the env's seeded generator).
public final class GridWorld: Environment {
    public static let id = "GridWorld-v0"
    public var id: String { GridWorld.id }

    /// The default maze: the short way to the goal runs past two pits.
    public static let defaultLayout = [
        "#########",
        "#S..#...#",
        "#.#.#.#.#",
        "#.#X..#G#",
        "#...X.#.#",
        "#.#...X.#",
        "#...#...#",
        "#########",
    ]

    public let rows: Int, columns: Int
    public let observationSpace: BoxSpace
    public let actionSpace = DiscreteSpace(4)
    public let stepReward = -0.01
    public let slipProbability: Double
    private let cells: [[Character]]
    private let start: (row: Int, column: Int)
    /// The agent's cell.
    public private(set) var position: (row: Int, column: Int)
    private var clock: EpisodeClock

    /// A maze from `layout` rows of equal length with one `S` and at least one `G`.
    public init(layout: [String], maxEpisodeSteps: Int? = 100, slipProbability: Double = 0) throws {
        guard let width = layout.first?.count, width > 0 else {
            throw GridWorldLayoutError(message: "no rows")
        }
        guard layout.allSatisfy({ $0.count == width }) else {
            throw GridWorldLayoutError(message: "rows have different lengths; pad them to \(width) characters")
        }
        let grid = layout.map(Array.init)
        var starts: [(Int, Int)] = [], goals = 0
        for (r, line) in grid.enumerated() {
            for (c, cell) in line.enumerated() {
                guard "#.SGX".contains(cell) else {
                    throw GridWorldLayoutError(message: "unknown cell '\(cell)' at row \(r); use # . S G X")
                }
                if cell == "S" { starts.append((r, c)) }
                if cell == "G" { goals += 1 }
            }
        }
        guard starts.count == 1 else {
            throw GridWorldLayoutError(message: "needs exactly one start S, found \(starts.count)")
        }
        guard goals > 0 else { throw GridWorldLayoutError(message: "needs at least one goal G") }
        guard (0...1).contains(slipProbability) else {
            throw GridWorldLayoutError(message: "slipProbability must be in [0, 1], got \(slipProbability)")
        }
        cells = grid
        rows = grid.count; columns = width
        start = starts[0]; position = starts[0]
        self.slipProbability = slipProbability
        clock = EpisodeClock(maxEpisodeSteps: maxEpisodeSteps)
        observationSpace = BoxSpace(low: [Float](repeating: 0, count: rows * columns),
                                    high: [Float](repeating: 1, count: rows * columns), shape: [rows, columns])
    }

    /// The default maze.
    public convenience init(maxEpisodeSteps: Int? = 100) {
        // The default layout is valid by construction.
        try! self.init(layout: GridWorld.defaultLayout, maxEpisodeSteps: maxEpisodeSteps)
    }

    public var maxEpisodeSteps: Int? { clock.maxEpisodeSteps }
    public var elapsedSteps: Int { clock.elapsedSteps }

    /// The cell character at (`row`, `column`).
    public func cell(row: Int, column: Int) -> Character { cells[row][column] }

    private func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<observation.count { observation[i] = 0 }
        observation[position.row * columns + position.column] = 1
    }

    private var info: StepInfo {
        StepInfo(values: ["row": Double(position.row), "column": Double(position.column)])
    }

    public func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        clock.reset(seed: seed)
        position = start
        observe(into: observation)
        return info
    }

    public func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        precondition(actionSpace.contains(action), "GridWorld action must be 0...3, got \(action)")
        let truncated = clock.tick()
        var move = action
        if slipProbability > 0, clock.rng.bernoulli(slipProbability) { move = clock.rng.nextInt(4) }
        let (dr, dc) = [(-1, 0), (0, 1), (1, 0), (0, -1)][move]
        let (r, c) = (position.row + dr, position.column + dc)
        if r >= 0, r < rows, c >= 0, c < columns, cells[r][c] != "#" { position = (r, c) }
        observe(into: observation)
        switch cells[position.row][position.column] {
        case "G": return Transition(reward: 1, terminated: true, truncated: truncated)
        case "X": return Transition(reward: -1, terminated: true, truncated: truncated)
        default: return Transition(reward: stepReward, terminated: false, truncated: truncated)
        }
    }

    /// The maze with the agent drawn as `A`.
    public func render() -> String {
        var lines = cells
        lines[position.row][position.column] = "A"
        let header = "GridWorld-v0  step \(elapsedSteps)  (A agent, G goal, X pit)"
        return ([header] + lines.map { String($0) }).joined(separator: "\n")
    }
}

extension GridWorld: ResumableEnvironment {
    /// `[row, column]` of the agent and the clock.
    public func snapshot() -> EnvironmentSnapshot {
        clock.snapshot(id: id, values: [Double(position.row), Double(position.column)])
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try snapshot.check(id: id, count: 2)
        guard let r = Int(exactly: snapshot.values[0]), let c = Int(exactly: snapshot.values[1]),
              (0..<rows).contains(r), (0..<columns).contains(c) else {
            throw EnvironmentSnapshotError("a saved GridWorld position \(snapshot.values) is outside the \(rows)×\(columns) grid")
        }
        try clock.restore(snapshot)
        position = (r, c)
    }
}
