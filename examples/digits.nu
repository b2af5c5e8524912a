# scikit-learn's 8×8 handwritten digits (1797 images) read as a CSV through Nushell, an MLP and a
# small CNN trained with `nutorch nn fit`, accuracy on a held-out 20 %, loss curves and confusion
# matrices as PNGs. examples/digits_torch.py is the same program in PyTorch-Python (same split,
# same initial weights, same batches): the numbers agree within rounding.
#
#   scripts/nu examples/digits.nu [--csv FILE] [--out DIR] [--mlp-epochs 30] [--cnn-epochs 30]
#
# The CSV is the one scripts/fetch-digits.sh (run by scripts/prepare.sh) extracts from the
# scikit-learn wheel into the cache: a header p0..p63,label, pixels 0..16.

def default_csv [] {
    let cache = ($env.NUTORCH_CACHE? | default ($env.XDG_CACHE_HOME? | default ($env.HOME | path join .cache) | path join nutorch))
    $cache | path join data digits.csv
}

# Trains `model` on the training split with AdamW and reports it on the test split.
def train [name: string, model: record, data: record, epochs: int, out: string, --quiet, --threads: int] {
    let opt = (nutorch optim adamw $model --lr 0.003 --weight-decay 0.01)
    let start = (date now)
    # Without --threads, libtorch's own thread count (a flag cannot be given as nothing).
    let history = if $threads == null {
        (nutorch nn fit $model $opt $data.x_train $data.y_train --epochs $epochs --batch-size 32
            --shuffle --seed 0 --val-x $data.x_test --val-y $data.y_test --quiet=$quiet)
    } else {
        (nutorch nn fit $model $opt $data.x_train $data.y_train --epochs $epochs --batch-size 32
            --shuffle --seed 0 --val-x $data.x_test --val-y $data.y_test --quiet=$quiet --threads $threads)
    }
    let seconds = ((date now) - $start | into int) / 1e9
    let test = (nutorch nn evaluate $model $data.x_test $data.y_test)
    let predicted = ($data.x_test | nutorch nn predict $model)
    nutorch plot loss $history ($out | path join $"digits_($name)_loss.png") --title $"($name): loss per epoch"
    nutorch plot confusion $predicted $data.y_test ($out | path join $"digits_($name)_confusion.png") --title $"($name) on the test digits: accuracy ($test.accuracy | math round --precision 3)"
    {
        model: $name
        parameters: ($model | nutorch nn parameters | get numel | math sum)
        epochs: $epochs
        loss: ($history | last | get loss)
        val_loss: $test.loss
        accuracy: $test.accuracy
        seconds_per_epoch: ($seconds / $epochs)
        losses: ($history | get loss)
    }
}

def main [
    --csv: string          # the digits CSV (default: the cache's data/digits.csv)
    --out: string = "target/digits"  # where the PNGs go
    --mlp-epochs: int = 30
    --cnn-epochs: int = 30
    --device: string = "cpu"  # where the data and the models live (cpu, cuda, cuda:N)
    --threads: int         # torch threads while training (torch.set_num_threads); default: libtorch's
    --quiet                # no progress lines
] {
    let csv = ($csv | default (default_csv))
    if not ($csv | path exists) {
        error make {msg: $"no digits CSV at ($csv): run scripts/fetch-digits.sh (scripts/prepare.sh does)"}
    }
    mkdir $out

    # A table of 1797 rows × 65 columns, straight from Nushell's CSV reader.
    let table = (open $csv)
    let pixels = ($table | reject label | each {|row| $row | values })
    let x = (nutorch fromvalue $pixels --dtype float32 --device $device | nutorch div 16)
    let y = (nutorch fromvalue ($table | get label) --device $device)

    # The held-out 20 %: torch.manual_seed(0); perm = torch.randperm(1797); test = perm[:359].
    nutorch manual_seed 0 | ignore
    let n = ($table | length)
    let n_test = ($n * 0.2 | math floor)
    let perm = (nutorch randperm $n | nutorch to --device $device)
    let test_rows = ($perm | nutorch narrow 0 0 $n_test)
    let train_rows = ($perm | nutorch narrow 0 $n_test ($n - $n_test))
    let flat = {
        x_train: ($x | nutorch index_select 0 $train_rows)
        y_train: ($y | nutorch index_select 0 $train_rows)
        x_test: ($x | nutorch index_select 0 $test_rows)
        y_test: ($y | nutorch index_select 0 $test_rows)
    }
    # The CNN sees images: [N, 1, 8, 8].
    let images = ($flat | merge {
        x_train: ($flat.x_train | nutorch reshape -1 1 8 8)
        x_test: ($flat.x_test | nutorch reshape -1 1 8 8)
    })

    let mlp = (nutorch nn sequential [
        (nutorch nn linear 64 64) (nutorch nn relu) (nutorch nn linear 64 10)
    ] --seed 0 --device $device)
    let cnn = (nutorch nn sequential [
        (nutorch nn conv2d 1 16 3 --padding 1) (nutorch nn relu) (nutorch nn max-pool2d 2)
        (nutorch nn conv2d 16 32 3 --padding 1) (nutorch nn relu) (nutorch nn max-pool2d 2)
        (nutorch nn flatten) (nutorch nn linear 128 64) (nutorch nn relu) (nutorch nn linear 64 10)
    ] --seed 0 --device $device)

    let results = [
        (train mlp $mlp $flat $mlp_epochs $out --quiet=$quiet --threads=$threads)
        (train cnn $cnn $images $cnn_epochs $out --quiet=$quiet --threads=$threads)
    ]
    nutorch nn save $cnn ($out | path join digits_cnn.safetensors)
    print ($results | reject losses | table)
    print $"figures and the CNN's weights are in ($out)"
    $results | to json -r
}
