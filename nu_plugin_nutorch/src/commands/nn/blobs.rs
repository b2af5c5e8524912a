//! `nutorch blobs`: the seed's data set, three skewed gaussian blobs.

use super::layers::seed_flag;
use crate::args;
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};
use nutorch_nn::{blobs, SEED_CENTERS, SEED_SKEW, SEED_STD};

pub struct Blobs;

impl PluginCommand for Blobs {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch blobs"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .named("n", SyntaxShape::Int, "number of points, split evenly over the three blobs (default 300)", None)
            .named("seed", SyntaxShape::Int, "seed torch's random generator first (torch.manual_seed); without it the generator goes on from where it is", None)
            .named("std", SyntaxShape::Number, "spread of each blob (default 0.7)", None)
            .named("skew", SyntaxShape::Number, "shear step between blobs (default 0.3)", None)
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Three skewed gaussian blobs around (0, 0), (3, 0) and (1.5, 2.5): a record {X: float32 [N, 2], y: int64 [N]}."
    }

    fn extra_description(&self) -> &str {
        "The seed's data() in PyTorch: for blob i with center c, p = torch.randn(n // 3, 2) * std + c, \
         then for i > 0 p = (p - c) @ [[1, s], [s, 1]] + c with s = skew * (i - 1); X = torch.cat \
         of the blobs, y their indices. With --seed 42 the result equals torch.manual_seed(42); \
         data(n, std, skew) exactly. Drawn on the CPU, then moved to --device."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["dataset", "make_blobs", "toy data", "classification", "gaussian"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "(nutorch blobs --n 6 --seed 42).y | nutorch tovalue",
                description: "Two points per class; the labels",
                result: Some(Value::test_list([0, 0, 1, 1, 2, 2].into_iter().map(Value::test_int).collect())),
            },
            Example {
                example: "(nutorch blobs --seed 42).X.shape",
                description: "The seed's 300 points",
                result: Some(Value::test_list(vec![Value::test_int(300), Value::test_int(2)])),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let n = match call.get_flag_value("n") {
            None => 300,
            Some(v) => {
                let n = args::int(&v)?;
                if n < 0 {
                    return Err(invalid(format!("--n must be non-negative, got {n}"), v.span()));
                }
                let blobs = SEED_CENTERS.len() as i64;
                if n % blobs != 0 {
                    // The reference draws n // 3 points per blob: other counts would silently shrink.
                    return Err(invalid(
                        format!("--n must be a multiple of {blobs} (n // {blobs} points per blob), got {n}"),
                        v.span(),
                    ));
                }
                n
            }
        };
        let number = |name: &str, default: f64| -> Result<f64, LabeledError> {
            match call.get_flag_value(name) {
                None => Ok(default),
                Some(v) => {
                    let x = args::number(&v)?.as_f64();
                    if !x.is_finite() {
                        return Err(invalid(format!("--{name} must be finite"), v.span()));
                    }
                    Ok(x)
                }
            }
        };
        let std = number("std", SEED_STD)?;
        if std < 0.0 {
            let span = call.get_flag_span("std").unwrap_or(call.head);
            return Err(invalid(format!("--std must be non-negative, got {std}"), span));
        }
        let skew = number("skew", SEED_SKEW)?;
        let device = args::device_flag(call)?;
        seed_flag(call)?;
        let (x, y) = blobs(n, &SEED_CENTERS, std, skew).at(call.head)?;
        let device_span = call.get_flag_span("device").unwrap_or(call.head);
        let (x, y) = (x.f_to(device).at(device_span)?, y.f_to(device).at(device_span)?);
        let rec = record! {
            "X" => plugin.tensor_value(x, call.head)?,
            "y" => plugin.tensor_value(y, call.head)?,
        };
        Ok(PipelineData::Value(Value::record(rec, call.head), None))
    }
}
