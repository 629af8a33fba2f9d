/// The sum of every element, as a scalar: the usual last step before `backward()`.
extension Tensor {
    /// Σ self, a rank-0 tensor. Accumulates in Double for accuracy on large tensors.
    public func sumAll() -> Tensor {
        var acc = 0.0
        let p = pointer
        for i in 0..<count { acc += Double(p[i]) }
        let out = Tensor(scalar: Float(acc))
        return out.recordOp("sumAll", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, gv = g.pointer[0]
            for i in 0..<self.count { dx[i] += gv }  // d(Σx)/dx = 1
        }
    }

    /// Mean of every element, as a scalar.
    public func meanAll() -> Tensor { sumAll() * (1 / Float(max(count, 1))) }
}
