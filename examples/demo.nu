# nutorch demo: PyTorch from Nushell.
#
#   scripts/nu examples/demo.nu                      # CPU, files under target/demo
#   scripts/nu examples/demo.nu --out /tmp/demo --device cuda
#
# Part 1 is the seed's tensor session: tensors stay in the plugin between commands and leave
# libtorch only through `nutorch tovalue`. Part 2 trains the seed's network, SimpleNN(2, 20, 3)
# on three skewed gaussian blobs with SGD (lr 0.1, 1000 full-batch epochs), saves the model
# and draws three figures.

# Floats as text with a fixed number of decimals (tables otherwise round to two).
def fixed [decimals: int = 6]: float -> string {
    $in | math round --precision $decimals | into string
}

def main [
    --out: string = "target/demo"   # where the model file and the PNG figures go
    --device: string = "cpu"        # cpu, cuda, cuda:N or mps
    --epochs: int = 1000            # training epochs
] {
    print "== 1. tensors live in the plugin (the seed's session) =="
    let angles = (nutorch linspace 0.0 1.57 4 --device $device)
    print $"linspace 0.0 1.57 4:       (nutorch tovalue $angles | each { fixed 4 } | str join ' ')"
    print $"... | repeat 2 | sin:       ($angles | nutorch repeat 2 | nutorch sin | nutorch tovalue | each { fixed 4 } | str join ' ')"
    print $"int64 extremes stay exact: (nutorch fromvalue [9223372036854775807 -9223372036854775808] | nutorch tovalue | str join ' ')"
    print "a tensor at the end of a pipeline prints as PyTorch prints it (a million values, summarised):"
    print (nutorch linspace 0 1 1000000 --device $device)
    print "devices:"
    print (nutorch devices | table)

    print ""
    print $"== 2. the seed's network: SimpleNN\(2, 20, 3\), SGD lr 0.1, ($epochs) epochs, on ($device) =="
    # torch.manual_seed(42); X, y = data(300) — three blobs of 100 points.
    let data = (nutorch blobs --n 300 --seed 42 --device $device)
    # nn.Linear's default initialisation, drawn from seed 42 as PyTorch draws it.
    let model = (nutorch nn simple-nn 2 20 3 --seed 42 --device $device)
    print ($model | update parameters { columns | str join ', ' } | table)
    print $"accuracy before training: (nutorch nn accuracy $model $data.X $data.y | fixed 3)"

    # The loop runs inside the plugin; the model's parameter tensors are updated in place.
    let started = (date now)
    let losses = (nutorch nn train $model $data.X $data.y --epochs $epochs --lr 0.1 --record-every 100)
    let took = ((date now) - $started)
    print $"trained in (($took | into int) / 1_000_000 | fixed 1) ms; the loss every 100 epochs:"
    print ($losses | update loss { fixed 6 } | table)
    let accuracy = (nutorch nn accuracy $model $data.X $data.y)
    print $"final accuracy: ($accuracy | fixed 3)"

    mkdir $out
    let dir = ($out | path expand)
    let model_file = ($dir | path join "simple_nn.safetensors")
    nutorch nn save $model $model_file
    # Reading it back gives the same predictions (Python: safetensors.torch.load_file).
    let loaded = (nutorch nn load $model_file --device $device)
    let same = (nutorch nn predict $loaded $data.X | nutorch tovalue) == (nutorch nn predict $model $data.X | nutorch tovalue)
    print $"saved the model to ($model_file) \(reloaded: same predictions = ($same)\)"

    let figures = {
        data: ($dir | path join "blobs.png")
        loss: ($dir | path join "loss.png")
        boundary: ($dir | path join "boundary.png")
    }
    nutorch plot scatter $data.X $data.y $figures.data --title "The seed's blobs: 300 points, 3 classes"
    nutorch plot loss $losses $figures.loss --title $"Training loss: SGD, lr 0.1, ($epochs) epochs"
    nutorch plot boundary $model $data.X $data.y $figures.boundary
    print "figures:"
    print ($figures | transpose figure file | table)
}
