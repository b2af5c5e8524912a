# tovalue and fromvalue against the protocol floor (`nutorch protocol-floor`: the same list moved with no
# tensor work), 10^2 to 10^7 elements, medians of interleaved runs. Run by scripts/bench.sh
# with the release plugin; writes the table as JSON and a PNG of time against size.
#   scripts/nu examples/bench_values.nu [out_dir]
def median_ms [runs: int, body: closure] {
    # A loop, not `each`: the body gets no pipeline input.
    mut times = []
    for _ in 1..$runs { $times = ($times | append (timeit { do $body } | into int)) }
    $times | math median | $in / 1_000_000
}

def main [out: string = "target/bench"] {
    mkdir $out
    nutorch version | ignore
    let rows = ([2 3 4 5 6 7] | each {|e|
        let n = (10 ** $e)
        let runs = (if $e >= 7 { 3 } else if $e >= 6 { 5 } else { 9 })
        let t = (nutorch linspace 0 1 $n)
        let list = ($t | nutorch tovalue)
        # Interleaved: each pair measured side by side, the order alternating.
        let to_value = (median_ms $runs { $t | nutorch tovalue | ignore })
        let floor_out = (median_ms $runs { nutorch protocol-floor $n | ignore })
        let from_value = (median_ms $runs { $list | nutorch fromvalue | ignore })
        let floor_in = (median_ms $runs { $list | nutorch protocol-floor })
        {
            log10_elements: $e
            elements: $n
            tovalue_ms: $to_value
            floor_out_ms: $floor_out
            tovalue_ratio: ($to_value / $floor_out | math round --precision 2)
            fromvalue_ms: $from_value
            floor_in_ms: $floor_in
            fromvalue_ratio: ($from_value / $floor_in | math round --precision 2)
        }
    })
    $rows | to json | save -f $"($out)/values.json"
    $rows | nutorch plot loss $"($out)/values.png" --x log10_elements --columns [tovalue_ms floor_out_ms fromvalue_ms floor_in_ms] --log-y --title "tovalue, fromvalue and the protocol floor (ms)"
    print ($rows | table)
}
