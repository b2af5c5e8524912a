# Per-call cost of small commands against the bare plugin call floor (`nutorch version`),
# measured side by side: rounds of `calls` calls each, the commands interleaved within a round,
# medians over the rounds. Run by scripts/bench.sh (`calls`) with the release plugin.
#   scripts/nu examples/bench_per_call.nu [--rounds 7] [--calls 200] [--device cpu]
def per_call_us [calls: int, body: closure] {
    (timeit { for _ in 1..$calls { do $body } } | into int) / $calls / 1000
}

def main [--rounds: int = 7, --calls: int = 200, --device: string = "cpu", --json] {
    let x = (nutorch linspace 0 1 10 --device $device)
    let y = (nutorch linspace 1 2 10 --device $device)
    let three = (nutorch linspace 0 1 3 --device $device)
    nutorch version | ignore
    # Warm every path once before timing.
    $x | nutorch sin | ignore
    $x | nutorch add $y | ignore
    $three | nutorch tovalue | ignore
    let cases = {
        floor: {|| nutorch version | ignore }
        sin: {|| $x | nutorch sin | ignore }
        add: {|| $x | nutorch add $y | ignore }
        tovalue: {|| $three | nutorch tovalue | ignore }
    }
    mut samples = {floor: [], sin: [], add: [], tovalue: []}
    for _ in 1..$rounds {
        for name in ($cases | columns) {
            let us = (per_call_us $calls ($cases | get $name))
            $samples = ($samples | update $name {|s| $s | get $name | append $us })
        }
    }
    let medians = ($samples | items {|name, s| {name: $name, us: ($s | math median)} } | transpose -r -d)
    let floor = $medians.floor
    let rows = (["sin" "add" "tovalue"] | each {|name|
        let us = ($medians | get $name)
        {command: $name, us_per_call: ($us | math round --precision 1), floor_us: ($floor | math round --precision 1), ratio: ($us / $floor | math round --precision 2)}
    })
    if $json { print ($rows | to json -r) } else { print $"device ($device): ($rounds) rounds of ($calls) calls, medians"; print ($rows | table) }
}
