# The seed's network trained step by step: simple_nn.py's PyTorch, one op per command.
#
#   scripts/nu examples/simple_nn.nu                              # the seed's run, 1000 epochs
#   scripts/nu examples/simple_nn.nu --epochs 200 --record-every 20 --lr 0.05
#   scripts/nu examples/simple_nn.nu --data data.safetensors --weights model.safetensors
#
# Every line of the training loop is a PyTorch op (nutorch mm, t, add, relu, log_softmax,
# gather, mean, neg, zero_grad, backward, grad, detach, sub_), each one plugin call, so this is
# the long way round; `nutorch nn train` runs the same loop inside the plugin in one call.
# Without --data and --weights the run is simple_nn.py's own: torch.manual_seed(42), its
# blobs, then its torch.randn weights (same losses as the Python script).

def main [
    --epochs: int = 1000         # full-batch SGD steps
    --record-every: int = 100    # print (and record) the loss at epochs 0, K, 2K, ...
    --lr: float = 0.1            # learning rate
    --data: string               # safetensors file with X [N, 2] float32 and y [N] int64
    --weights: string            # safetensors file with fc1.weight, fc1.bias, fc2.weight, fc2.bias (as nutorch nn save writes)
    --device: string = "cpu"     # cpu, cuda, cuda:N or mps
    --json                       # end with {losses, accuracy, ms_per_epoch} as JSON on one line
] {
    # torch.manual_seed(42); X, y = data()
    let data = if $data == null {
        nutorch blobs --n 300 --seed 42 --device $device
    } else {
        nutorch load $data --device $device
    }
    let X = $data.X
    let y = $data.y

    # w1 = torch.randn(20, 2, requires_grad=True); b1 = torch.randn(20, requires_grad=True)
    # w2 = torch.randn(3, 20, requires_grad=True); b2 = torch.randn(3, requires_grad=True)
    # (or the weights of a saved model: fc1 is w1, b1 and fc2 is w2, b2)
    let params = if $weights == null {
        {
            w1: (nutorch randn 20 2 --requires-grad --device $device)
            b1: (nutorch randn 20 --requires-grad --device $device)
            w2: (nutorch randn 3 20 --requires-grad --device $device)
            b2: (nutorch randn 3 --requires-grad --device $device)
        }
    } else {
        let saved = (nutorch load $weights --device $device)
        {
            w1: ($saved."fc1.weight" | nutorch requires_grad_)
            b1: ($saved."fc1.bias" | nutorch requires_grad_)
            w2: ($saved."fc2.weight" | nutorch requires_grad_)
            b2: ($saved."fc2.bias" | nutorch requires_grad_)
        }
    }
    let w1 = $params.w1
    let b1 = $params.b1
    let w2 = $params.w2
    let b2 = $params.b2
    let ps = [$w1 $b1 $w2 $b2]

    # cross_entropy(out, y) = -mean(log_softmax(out, 1)[i, y[i]]): gather takes y as [N, 1].
    let target = ($y | nutorch unsqueeze 1)

    mut losses = []
    let started = (date now)
    for epoch in 0..<$epochs {
        # h = torch.relu(torch.mm(X, w1.t()) + b1)
        let h = ($X | nutorch mm ($w1 | nutorch t) | nutorch add $b1 | nutorch relu)
        # out = torch.mm(h, w2.t()) + b2
        let out = ($h | nutorch mm ($w2 | nutorch t) | nutorch add $b2)
        # loss = torch.nn.functional.cross_entropy(out, y)
        let loss = ($out | nutorch log_softmax 1 | nutorch gather 1 $target | nutorch mean | nutorch neg)
        if $epoch mod $record_every == 0 {
            let value = ($loss | nutorch tovalue)
            print $"epoch ($epoch | fill --alignment right --width 5): loss ($value | math round --precision 6)"
            $losses = ($losses | append {epoch: $epoch, loss: $value})
        }
        # for p in ps: p.grad = None   (here: zeroed, the same for the next backward)
        for p in $ps { $p | nutorch zero_grad | ignore }
        # loss.backward()
        $loss | nutorch backward
        # with torch.no_grad(): for p in ps: p -= lr * p.grad
        # written as p.detach().sub_(p.grad, alpha=lr): the detached tensor shares p's data and
        # is not tracked, so the in-place step is allowed without a no-grad block
        for p in $ps { $p | nutorch detach | nutorch sub_ ($p | nutorch grad) --alpha $lr | ignore }
    }
    let elapsed = ((date now) - $started | into int) / 1_000_000
    let ms_per_epoch = if $epochs > 0 { $elapsed / $epochs } else { 0 }

    # accuracy = (model(X).argmax(1) == y).float().mean(), with the trained weights
    let accuracy = (
        $X | nutorch mm ($w1 | nutorch t) | nutorch add $b1 | nutorch relu
        | nutorch mm ($w2 | nutorch t) | nutorch add $b2
        | nutorch argmax --dim 1 | nutorch eq $y | nutorch to --dtype float64 | nutorch mean | nutorch tovalue
    )
    print $"accuracy ($accuracy | math round --precision 4) after ($epochs) epochs; ($ms_per_epoch | math round --precision 2) ms per epoch"
    if $json {
        print ({losses: $losses, accuracy: $accuracy, ms_per_epoch: $ms_per_epoch} | to json -r)
    }
}
