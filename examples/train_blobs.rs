//! Trains SimpleNN(2, 20, 3) on the reference workload's three skewed gaussian blobs with
//! full-batch SGD (lr 0.1), using nutorch-nn only.
//!
//! ```text
//! cargo run --example train_blobs [-- [EPOCHS] [N] [--epochs E] [--n N] [--threads T]
//!                                     [--init torch|randn] [--time]]
//! ```
//!
//! Defaults: 1000 epochs, 300 points, 1 torch thread (as the reference script), seed 42.
//! `--init torch` (default) is PyTorch's nn.Linear initialisation; `--init randn` draws the
//! weights with torch.randn in the reference script's order, which reproduces its numbers.
//! Without `--time` the loss is printed every 100 epochs, then the final accuracy. With
//! `--time` only one line is printed, in the reference script's format:
//! `epochs=.. n=.. loss=.. acc=.. train_s=.. us_per_epoch=..`, where `loss` is the last epoch's
//! loss (before its update), `acc` the accuracy of the trained model, and `train_s` the wall
//! time of the training loop alone.

use nutorch_nn::{
    accuracy, fit, seed_blobs, FitOptions, Init, LayerSpec, Loss, LossKind, Model, Module, Optimizer, OptimizerSpec,
};
use std::ops::ControlFlow;
use std::time::Instant;

struct Options {
    epochs: usize,
    n: i64,
    threads: i32,
    randn_init: bool,
    time: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options { epochs: 1000, n: 300, threads: 1, randn_init: false, time: false };
    let mut positional = 0;
    let mut args = std::env::args().skip(1);
    let number = |flag: &str, value: Option<String>| -> Result<i64, String> {
        let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
        value.parse::<i64>().map_err(|_| format!("{flag}: '{value}' is not an integer"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--epochs" => options.epochs = non_negative("--epochs", number("--epochs", args.next())?)? as usize,
            "--n" => options.n = non_negative("--n", number("--n", args.next())?)?,
            "--threads" => {
                let threads = number("--threads", args.next())?;
                if !(1..=i32::MAX as i64).contains(&threads) {
                    return Err(format!("--threads must be at least 1, got {threads}"));
                }
                options.threads = threads as i32;
            }
            "--init" => match args.next().as_deref() {
                Some("torch") => options.randn_init = false,
                Some("randn") => options.randn_init = true,
                other => return Err(format!("--init takes torch or randn, got {other:?}")),
            },
            "--time" => options.time = true,
            "-h" | "--help" => {
                return Err(
                    "usage: train_blobs [EPOCHS] [N] [--epochs E] [--n N] [--threads T] [--init torch|randn] [--time]"
                        .into(),
                )
            }
            _ if !arg.starts_with('-') && positional < 2 => {
                let value = non_negative("argument", number("argument", Some(arg))?)?;
                if positional == 0 {
                    options.epochs = value as usize;
                } else {
                    options.n = value;
                }
                positional += 1;
            }
            _ => return Err(format!("unexpected argument '{arg}' (try --help)")),
        }
    }
    Ok(options)
}

fn non_negative(what: &str, value: i64) -> Result<i64, String> {
    if value < 0 {
        return Err(format!("{what} must be non-negative, got {value}"));
    }
    Ok(value)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = parse_options()?;
    // As the plugin does: freed activations stay in the heap instead of coming back as page faults.
    nutorch_core::allocator::keep_freed_heap(nutorch_core::allocator::TRAINING_HEAP_PAD);
    tch::set_num_threads(options.threads);
    tch::manual_seed(42);
    let (x, y) = seed_blobs(options.n)?;
    let spec = LayerSpec::SimpleNn { input: 2, hidden: 20, output: 3 };
    let init = if options.randn_init { Init::Randn } else { Init::Default };
    let mut model = Model::with_init(&spec, init)?;
    let sgd = OptimizerSpec::Sgd { lr: 0.1, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 };
    let mut optimizer = Optimizer::new(sgd, model.parameters())?;
    let loss = Loss::new(LossKind::CrossEntropy);
    let fit_options = FitOptions { epochs: options.epochs, batch_size: None, shuffle: false, seed: None };

    if options.time {
        let start = Instant::now();
        let outcome = fit(&mut model, &mut optimizer, &loss, &x, &y, None, None, &fit_options, &mut |_| {
            ControlFlow::Continue(())
        })?;
        let seconds = start.elapsed().as_secs_f64();
        let loss = outcome.history.last().map_or(f64::NAN, |r| r.loss);
        let acc = accuracy(&model, &x, &y)?;
        println!(
            "epochs={} n={} loss={loss:.4} acc={acc:.3} train_s={seconds:.4} us_per_epoch={:.1}",
            options.epochs,
            x.size()[0],
            seconds / options.epochs.max(1) as f64 * 1e6
        );
        return Ok(());
    }

    println!(
        "{} points in 3 blobs, SimpleNN(2, 20, 3), SGD lr 0.1, {} epochs, {} thread(s)",
        x.size()[0],
        options.epochs,
        options.threads
    );
    let outcome =
        fit(&mut model, &mut optimizer, &loss, &x, &y, None, None, &fit_options, &mut |_| ControlFlow::Continue(()))?;
    for record in outcome.history.iter().filter(|r| r.epoch % 100 == 0) {
        println!("epoch {:5}  loss {:.4}", record.epoch, record.loss);
    }
    println!("final accuracy {:.3}", accuracy(&model, &x, &y)?);
    Ok(())
}
