# Per-call cost of plugin commands from nu (run by scripts/bench.sh with the release plugin).
def per_call [n: int, body: closure] {
    let total = (timeit { for i in 1..$n { do $body } })
    ($total / $n)
}

let n = 500
# Start the plugin process before timing anything.
nutorch version | ignore
let floor = (per_call $n { nutorch version | ignore })
let small = (per_call $n { nutorch linspace 0 1 10 | nutorch sin | ignore })
# The idle spill runs only after 1 s without commands: a burst never waits for it. Compare a
# burst right after creating tensors (dirty, not yet spilled) with one after they were spilled.
let held = (0..20 | each { nutorch linspace 0 1 100000 })
let burst_dirty = (per_call $n { nutorch version | ignore })
sleep 2sec
let burst_clean = (per_call $n { nutorch version | ignore })
# What a command costs should not grow with the tensors the store holds: every command and
# every dropped value ends by asking whether the plugin must be kept alive, and every new
# tensor by checking the memory budget.
let x = (nutorch linspace 0 1 10)
let sin_few = (per_call $n { $x | nutorch sin | ignore })
let many = (1..5000 | each { nutorch linspace 0 1 4 })
let sin_many = (per_call $n { $x | nutorch sin | ignore })
let floor_many = (per_call $n { nutorch version | ignore })
print ([
    [what, per_call];
    ["nutorch version (bare plugin call floor)", $floor]
    ["nutorch linspace 0 1 10 | nutorch sin (two calls)", $small]
    ["floor, 20 unspilled 400 KB tensors held", $burst_dirty]
    ["floor, after the idle spill wrote them", $burst_clean]
    ["$x | nutorch sin, 21 tensors stored", $sin_few]
    ["$x | nutorch sin, 5,021 tensors stored", $sin_many]
    ["floor, 5,021 tensors stored", $floor_many]
] | table)
