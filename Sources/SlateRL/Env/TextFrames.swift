import Foundation

/// A grid of characters addressed in world coordinates, for text frames of the environments.
/// Row 0 is the top line; world `y` grows upwards.
struct TextCanvas {
    let columns: Int, rows: Int
    let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    private var cells: [[Character]]

    init(columns: Int, rows: Int, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.columns = columns; self.rows = rows
        xRange = x; yRange = y
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
    }

    /// Column of world `x` (may be outside the grid).
    func column(_ x: Double) -> Int {
        Int(((x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(columns - 1)).rounded())
    }

    /// Row of world `y` (may be outside the grid).
    func row(_ y: Double) -> Int {
        Int(((yRange.upperBound - y) / (yRange.upperBound - yRange.lowerBound) * Double(rows - 1)).rounded())
    }

    /// Puts `c` at grid cell (`row`, `column`) if it lies on the grid.
    mutating func put(_ c: Character, row: Int, column: Int) {
        guard row >= 0, row < rows, column >= 0, column < columns else { return }
        cells[row][column] = c
    }

    /// Puts `c` at world point (`x`, `y`).
    mutating func put(_ c: Character, x: Double, y: Double) {
        put(c, row: row(y), column: column(x))
    }

    /// Writes `text` starting at a grid cell.
    mutating func write(_ text: String, row: Int, column: Int) {
        for (i, c) in text.enumerated() { put(c, row: row, column: column + i) }
    }

    /// Draws a segment with `| / \ -` chosen from its on-screen slope, or with `fill` if given.
    mutating func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double), fill: Character? = nil) {
        let (c0, r0, c1, r1) = (column(a.x), row(a.y), column(b.x), row(b.y))
        let dc = Double(c1 - c0), dr = Double(r1 - r0)
        let glyph: Character
        if let fill { glyph = fill } else if abs(dc) > 2.5 * abs(dr) { glyph = "-" }
        else if abs(dr) > 1.5 * abs(dc) { glyph = "|" }
        else { glyph = (dc > 0) == (dr < 0) ? "/" : "\\" }
        let n = max(Int(max(abs(dc), abs(dr))), 1)
        for i in 0...n {
            let t = Double(i) / Double(n)
            put(glyph, row: Int((Double(r0) + t * dr).rounded()), column: Int((Double(c0) + t * dc).rounded()))
        }
    }

    /// The frame as lines joined by newlines (trailing spaces kept, so frames overwrite cleanly).
    var text: String { cells.map { String($0) }.joined(separator: "\n") }
}

/// Text renderings of the classic-control environments (frames of a few terminal lines).
enum TextFrames {
    /// Cart and pole: 1 m is 10 columns or 5 rows, the track spans `±xThreshold`.
    static func cartPole(x: Double, theta: Double, xThreshold: Double, step: Int) -> String {
        let half = xThreshold + 0.6
        var canvas = TextCanvas(columns: 61, rows: 7, x: -half...half, y: -0.2...1.0)
        let cartTop = 0.0, poleLength = 1.0
        canvas.line(from: (x, cartTop), to: (x + poleLength * sin(theta), cartTop + poleLength * cos(theta)))
        let cartColumn = canvas.column(x), cartRow = canvas.row(cartTop)
        canvas.write("[==o==]", row: cartRow, column: cartColumn - 3)
        let trackRow = canvas.rows - 1
        for column in 0..<canvas.columns { canvas.put("=", row: trackRow, column: column) }
        canvas.put("|", row: trackRow, column: canvas.column(-xThreshold))
        canvas.put("|", row: trackRow, column: canvas.column(xThreshold))
        let header = String(format: "CartPole-v1  step %3d  x %+6.3f  theta %+6.2f°", step, x, theta * 180 / Double.pi)
        return header + "\n" + canvas.text
    }

    /// Mountain car: the hill `y = sin(3x)` over `[minPosition, maxPosition]`, the car `@`, the flag.
    static func mountainCar(position: Double, velocity: Double, minPosition: Double,
                            maxPosition: Double, goalPosition: Double, step: Int) -> String {
        var canvas = TextCanvas(columns: 60, rows: 12, x: minPosition...maxPosition, y: -1.1...1.6)
        for column in 0..<canvas.columns {
            let x = minPosition + (maxPosition - minPosition) * Double(column) / Double(canvas.columns - 1)
            canvas.put(".", x: x, y: sin(3 * x))
        }
        let goalY = sin(3 * goalPosition)
        canvas.put("|", x: goalPosition, y: goalY + 0.22)
        canvas.write("|>", row: canvas.row(goalY + 0.44), column: canvas.column(goalPosition))
        canvas.put("@", x: position, y: sin(3 * position) + 0.2)
        let header = String(format: "MountainCar-v0  step %3d  position %+6.3f  velocity %+7.4f", step, position, velocity)
        return header + "\n" + canvas.text
    }

    /// Acrobot: pivot `+` in the middle, link 1 to the elbow `o`, link 2 to the tip `*`,
    /// and the goal line one link length above the pivot.
    static func acrobot(theta1: Double, theta2: Double, step: Int) -> String {
        var canvas = TextCanvas(columns: 37, rows: 15, x: -2.25...2.25, y: -2.2...2.2)
        for column in 0..<canvas.columns { canvas.put("-", row: canvas.row(1.0), column: column) }
        let elbow = (x: sin(theta1), y: -cos(theta1))
        let tip = (x: elbow.x + sin(theta1 + theta2), y: elbow.y - cos(theta1 + theta2))
        canvas.line(from: (0, 0), to: elbow)
        canvas.line(from: elbow, to: tip)
        canvas.put("+", x: 0, y: 0)
        canvas.put("o", x: elbow.x, y: elbow.y)
        canvas.put("*", x: tip.x, y: tip.y)
        let header = String(format: "Acrobot-v1  step %3d  tip height %+5.2f (goal > 1)", step, tip.y)
        return header + "\n" + canvas.text
    }
}
