import Foundation
import XCTest
@testable import Slate

/// Grad mode is per thread: `withNoGrad` on one thread leaves another thread recording.
final class GradModeThreadTests: XCTestCase {
    /// What each thread saw, written under a lock.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String: Bool] = [:]
        func set(_ key: String, _ value: Bool) { lock.lock(); seen[key] = value; lock.unlock() }
        subscript(key: String) -> Bool? { lock.lock(); defer { lock.unlock() }; return seen[key] }
    }

    func testNoGradOnOneThreadLeavesAnotherRecording() {
        let outcome = Outcome()
        let inside = DispatchSemaphore(value: 0)      // thread A is inside withNoGrad
        let recorded = DispatchSemaphore(value: 0)    // thread B has recorded its op
        let finished = DispatchSemaphore(value: 0)

        let a = Thread {
            withNoGrad {
                inside.signal()
                recorded.wait()                       // B records while A is in no-grad
                let x = Tensor([1, 2], requiresGrad: true)
                outcome.set("a.enabled", Autograd.isEnabled)
                outcome.set("a.recorded", (x * x).gradFn != nil)
            }
            outcome.set("a.restored", Autograd.isEnabled)
            finished.signal()
        }
        let b = Thread {
            inside.wait()
            let x = Tensor([1, 2], requiresGrad: true)
            let y = (x * x).sumAll()
            outcome.set("b.enabled", Autograd.isEnabled)
            outcome.set("b.recorded", y.gradFn != nil)
            y.backward()
            outcome.set("b.gradient", x.grad?.toArray() == [2, 4])
            recorded.signal()
            finished.signal()
        }
        a.start(); b.start()
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)

        XCTAssertEqual(outcome["a.enabled"], false)
        XCTAssertEqual(outcome["a.recorded"], false)
        XCTAssertEqual(outcome["a.restored"], true)
        XCTAssertEqual(outcome["b.enabled"], true)
        XCTAssertEqual(outcome["b.recorded"], true)
        XCTAssertEqual(outcome["b.gradient"], true)
        XCTAssertTrue(Autograd.isEnabled)             // the test's own thread was never switched
    }
}
