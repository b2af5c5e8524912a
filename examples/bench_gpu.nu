# GPU figures through the real nu, next to examples/bench_gpu.py (the same work in
# PyTorch-Python); scripts/gpu/bench.sh runs both on the GPU machine. Each row is the median of
# 5 timings of `reps` repetitions, ending with `nutorch cuda_synchronize` so that the GPU's work
# is inside the timing. Prints one JSON record per row.
def main [
    --device: string = "cuda"
    --size: int = 8192  # of the square matrices
    --elements: int = 10000000  # of the elementwise chain
    --only-training  # only the rows of the seed's training
] {
    def median_ms [reps: int, body: closure] {
        let times = (1..5 | each {|_| (timeit { for i in 1..$reps { do $body }; nutorch cuda_synchronize --device $device }) / 1ms / $reps })
        $times | sort | get 2
    }
    let row = {|what: string, ms: float, extra: record| print ({side: "nutorch", what: $what, ms: $ms} | merge $extra | to json -r) }
    nutorch manual_seed 0 | ignore
    # The plugin inherits nu's environment: NUTORCH_CUDA_GRAPHS=0 turns training's graphs off.
    let graphs = if ($env.NUTORCH_CUDA_GRAPHS? | default "1") == "0" { ", no CUDA graph" } else { "" }

    if not $only_training {
        for dtype in [bfloat16 float32] {
            let a = (nutorch randn $size $size --dtype $dtype --device $device)
            let b = (nutorch randn $size $size --dtype $dtype --device $device)
            $a | nutorch mm $b | ignore
            let reps = if $dtype == "bfloat16" { 20 } else { 5 }
            let ms = (median_ms $reps { $a | nutorch mm $b | ignore })
            do $row $"mm ($size)³ \(($dtype)\)" $ms {tflops: (2 * $size ** 3 / ($ms / 1e3) / 1e12)}
        }

        let x = (nutorch randn $elements --device $device)
        let chain = { $x | nutorch sin | nutorch mul 2 | nutorch add 1 | nutorch exp | ignore }
        do $chain
        do $row $"elementwise chain sin·mul·add·exp, ($elements) float32" (median_ms 20 $chain) {}

        let small = (nutorch randn 10 --device $device)
        do $row "sin of a 10-element tensor (one call)" (median_ms 200 { $small | nutorch sin | ignore }) {}
        do $row "bare plugin call (nutorch version)" (median_ms 200 { nutorch version | ignore }) {}

        let m = (nutorch randn 1000000 --device $device)
        do $row "tovalue of 1M float32 from the GPU" (median_ms 3 { $m | nutorch tovalue | ignore }) {}
    }

    for n in [300 30000] {
        let data = (nutorch blobs --n $n --seed 42 --device $device)
        let model = (nutorch nn simple-nn 2 20 3 --init randn --device $device)
        nutorch nn train $model $data.X $data.y --epochs 10 --lr 0.1 --quiet | ignore
        let start = (date now)
        let losses = (nutorch nn train $model $data.X $data.y --epochs 1000 --lr 0.1 --record-every 1000 --quiet)
        nutorch cuda_synchronize --device $device
        let ms = (((date now) - $start) / 1ms)
        do $row $"seed network, nn train, ($n) points($graphs)" ($ms / 1000) {per: "epoch"}
    }
}
