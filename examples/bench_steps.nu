# Time per training step written step by step with nutorch's nn objects, as a PyTorch loop is:
# forward, cross_entropy, zero-grad, backward, optim step (five plugin calls a step), next to one
# `nn fit` epoch of the same full batch. Run by scripts/bench_fit.sh with the release plugin.
def main [--steps: int = 300, --n: int = 300] {
    let data = (nutorch blobs --n $n --seed 42)
    let model = (nutorch nn simple-nn 2 20 3 --seed 42)
    let opt = (nutorch optim sgd $model --lr 0.1)
    let step = {||
        let loss = ($data.X | nutorch nn forward $model | nutorch cross_entropy $data.y)
        nutorch optim zero-grad $opt
        $loss | nutorch backward
        nutorch optim step $opt
    }
    do $step
    let stepped = (timeit { for _ in 1..$steps { do $step } }) / $steps
    let fitted = (timeit { nutorch nn fit $model $opt $data.X $data.y --epochs $steps --quiet | ignore }) / $steps
    let floor = (timeit { for _ in 1..$steps { nutorch version | ignore } }) / $steps
    print $"step by step with nn objects: ($stepped) per step \(5 plugin calls; plugin call floor ($floor)\); nn fit: ($fitted) per epoch"
}
