// Getting started: a 2-8-2 MLP learns XOR with Adam and cross-entropy.
import Slate

let inputs = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])    // (4, 2)
let labels = [0, 1, 1, 0]                                        // XOR of each row

var generator = RandomGenerator(seed: 1)
let model = MLP(sizes: [2, 8, 2], activation: .tanh, generator: &generator)
let optimizer = Adam(model.parameters(), learningRate: 0.05)

for step in 1...300 {
    optimizer.zeroGrad()
    let loss = model(inputs).crossEntropy(targets: labels)       // (4, 2) logits -> scalar
    loss.backward()
    optimizer.step()
    if step % 100 == 0 { print("step \(step): loss \(loss.item())") }
}

let predictions = withNoGrad { model(inputs) }.argmax()          // one class per row
let correct = zip(predictions, labels).filter { $0 == $1 }.count
print("predictions \(predictions)")
print("xor accuracy \(correct)/4")
