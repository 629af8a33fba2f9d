extension Tensor {
    /// How many elements are NaN or ±infinity. Loaders check weights with this and name the
    /// tensor, so damaged weights are an error instead of a model that samples newlines.
    public var nonFiniteCount: Int {
        let p = pointer
        var bad = 0
        for i in 0..<count where !p[i].isFinite { bad &+= 1 }
        return bad
    }
}
