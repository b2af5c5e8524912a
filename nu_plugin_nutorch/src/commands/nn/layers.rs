//! `nutorch nn linear`, `nutorch nn conv2d`, … `nutorch nn relu`: one command per `torch.nn`
//! layer, all built from the table below. Each returns a model record holding that one layer
//! with PyTorch's default initialisation; `nutorch nn sequential` chains them.

use super::model::new_model_value;
use super::spec_args::{add_to_signature, blame, flag, opt_pos, pos, read_fields, ArgKind, FieldArg};
use crate::errors::labeled;
use crate::plugin::NutorchPlugin;
use crate::values::json_to_value;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Type};
use nutorch_nn::{LayerSpec, Model};

use ArgKind::{Float, Int, Ints, Off, Str};

/// One layer command: its name after `nutorch nn`, the `torch.nn` class, a summary, the
/// constructor's arguments, and an example with its expected result (JSON).
pub struct LayerCommand {
    pub command: &'static str,
    pub class: &'static str,
    pub summary: &'static str,
    pub fields: &'static [FieldArg],
    pub example: &'static str,
    pub result: &'static str,
}

const CONV: &[FieldArg] = &[
    pos("in_channels", Int, "channels of the input"),
    pos("out_channels", Int, "channels produced"),
    pos("kernel_size", Ints, "kernel size: an int or one per spatial dimension"),
    flag("stride", Ints, "stride (default 1)"),
    flag("padding", Ints, "zero padding on each side (default 0)"),
    flag("dilation", Ints, "spacing between kernel elements (default 1)"),
    flag("groups", Int, "blocked connections from input to output channels (default 1)"),
    flag("bias", Off, "no learnable bias"),
];

const CONV_TRANSPOSE: &[FieldArg] = &[
    pos("in_channels", Int, "channels of the input"),
    pos("out_channels", Int, "channels produced"),
    pos("kernel_size", Ints, "kernel size: an int or [kh kw]"),
    flag("stride", Ints, "stride (default 1)"),
    flag("padding", Ints, "dilation * (kernel_size - 1) - padding zero padding is added (default 0)"),
    flag("output_padding", Ints, "additional size added to one side of the output shape (default 0)"),
    flag("dilation", Ints, "spacing between kernel elements (default 1)"),
    flag("groups", Int, "blocked connections from input to output channels (default 1)"),
    flag("bias", Off, "no learnable bias"),
];

const POOL: &[FieldArg] = &[
    pos("kernel_size", Ints, "window size: an int or [kh kw]"),
    flag("stride", Ints, "stride (default: kernel_size)"),
    flag("padding", Ints, "implicit padding on both sides (default 0)"),
];

const BATCH_NORM: &[FieldArg] = &[
    pos("num_features", Int, "C of [N, C] or [N, C, L] inputs ([N, C, H, W] for 2d)"),
    flag("eps", Float, "added to the variance for stability (default 1e-5)"),
    flag("momentum", Float, "weight of the new batch in the running statistics (default 0.1)"),
    flag("affine", Off, "no learnable weight and bias"),
    flag("track_running_stats", Off, "no running statistics: batch statistics in eval mode too"),
];

pub static LAYERS: &[LayerCommand] = &[
    LayerCommand {
        command: "linear",
        class: "Linear",
        summary: "A fully connected layer y = x Wᵀ + b (nn.Linear).",
        fields: &[
            pos("in_features", Int, "size of each input sample"),
            pos("out_features", Int, "size of each output sample"),
            flag("bias", Off, "no learnable bias"),
        ],
        example: "(nutorch nn linear 13 64).parameters.weight.shape",
        result: "[64, 13]",
    },
    LayerCommand {
        command: "conv1d",
        class: "Conv1d",
        summary: "A 1-d convolution over [N, C, L] inputs (nn.Conv1d).",
        fields: CONV,
        example: "(nutorch nn conv1d 2 4 3).parameters.weight.shape",
        result: "[4, 2, 3]",
    },
    LayerCommand {
        command: "conv2d",
        class: "Conv2d",
        summary: "A 2-d convolution over [N, C, H, W] inputs (nn.Conv2d).",
        fields: CONV,
        example: "(nutorch nn conv2d 1 16 3 --padding 1).parameters.weight.shape",
        result: "[16, 1, 3, 3]",
    },
    LayerCommand {
        command: "conv-transpose2d",
        class: "ConvTranspose2d",
        summary: "A 2-d transposed convolution (nn.ConvTranspose2d).",
        fields: CONV_TRANSPOSE,
        example: "(nutorch nn conv-transpose2d 4 2 3 --stride 2).parameters.weight.shape",
        result: "[4, 2, 3, 3]",
    },
    LayerCommand {
        command: "max-pool2d",
        class: "MaxPool2d",
        summary: "2-d max pooling (nn.MaxPool2d).",
        fields: POOL,
        example: "(nutorch nn max-pool2d 2).spec.stride",
        result: "[2, 2]",
    },
    LayerCommand {
        command: "avg-pool2d",
        class: "AvgPool2d",
        summary: "2-d average pooling (nn.AvgPool2d).",
        fields: POOL,
        example: "(nutorch nn avg-pool2d 2).spec.kernel_size",
        result: "[2, 2]",
    },
    LayerCommand {
        command: "adaptive-avg-pool2d",
        class: "AdaptiveAvgPool2d",
        summary: "2-d average pooling to a fixed output size (nn.AdaptiveAvgPool2d).",
        fields: &[pos("output_size", Ints, "the output size: an int or [h w]")],
        example: "(nutorch nn adaptive-avg-pool2d 1).spec.output_size",
        result: "[1, 1]",
    },
    LayerCommand {
        command: "batch-norm1d",
        class: "BatchNorm1d",
        summary: "Batch normalization over [N, C] or [N, C, L] inputs, with running statistics (nn.BatchNorm1d).",
        fields: BATCH_NORM,
        example: "(nutorch nn batch-norm1d 8).buffers.running_var.shape",
        result: "[8]",
    },
    LayerCommand {
        command: "batch-norm2d",
        class: "BatchNorm2d",
        summary: "Batch normalization over [N, C, H, W] inputs, with running statistics (nn.BatchNorm2d).",
        fields: BATCH_NORM,
        example: "(nutorch nn batch-norm2d 8).parameters.weight.shape",
        result: "[8]",
    },
    LayerCommand {
        command: "layer-norm",
        class: "LayerNorm",
        summary: "Layer normalization over the last dimensions (nn.LayerNorm).",
        fields: &[
            pos("normalized_shape", Ints, "the trailing shape to normalize over"),
            flag("eps", Float, "added to the variance for stability (default 1e-5)"),
            flag("elementwise_affine", Off, "no learnable weight and bias"),
        ],
        example: "(nutorch nn layer-norm 8).parameters.weight.shape",
        result: "[8]",
    },
    LayerCommand {
        command: "group-norm",
        class: "GroupNorm",
        summary: "Group normalization (nn.GroupNorm).",
        fields: &[
            pos("num_groups", Int, "groups to separate the channels into"),
            pos("num_channels", Int, "channels expected in the input (dimension 1)"),
            flag("eps", Float, "added to the variance for stability (default 1e-5)"),
            flag("affine", Off, "no learnable weight and bias"),
        ],
        example: "(nutorch nn group-norm 2 8).parameters.bias.shape",
        result: "[8]",
    },
    LayerCommand {
        command: "dropout",
        class: "Dropout",
        summary: "Zeroes elements with probability p in training mode, scaling the rest by 1/(1-p) (nn.Dropout).",
        fields: &[opt_pos("p", Float, "probability of an element to be zeroed (default 0.5)")],
        example: "(nutorch nn dropout 0.1).spec.p",
        result: "0.1",
    },
    LayerCommand {
        command: "embedding",
        class: "Embedding",
        summary: "A lookup table of embeddings for int64 indices (nn.Embedding).",
        fields: &[
            pos("num_embeddings", Int, "size of the dictionary"),
            pos("embedding_dim", Int, "size of each embedding vector"),
            flag("padding_idx", Int, "an index whose embedding is zero and gets no gradient"),
        ],
        example: "(nutorch nn embedding 10 4).parameters.weight.shape",
        result: "[10, 4]",
    },
    LayerCommand {
        command: "flatten",
        class: "Flatten",
        summary: "Flattens dimensions start_dim..end_dim into one (nn.Flatten).",
        fields: &[
            flag("start_dim", Int, "first dimension to flatten (default 1)"),
            flag("end_dim", Int, "last dimension to flatten (default -1)"),
        ],
        example: "(nutorch nn flatten).spec.start_dim",
        result: "1",
    },
    LayerCommand {
        command: "relu",
        class: "ReLU",
        summary: "max(0, x) (nn.ReLU).",
        fields: &[],
        example: "(nutorch nn relu).spec.type",
        result: r#""ReLU""#,
    },
    LayerCommand {
        command: "leaky-relu",
        class: "LeakyReLU",
        summary: "x for x > 0, negative_slope * x otherwise (nn.LeakyReLU).",
        fields: &[opt_pos("negative_slope", Float, "slope for negative inputs (default 0.01)")],
        example: "(nutorch nn leaky-relu 0.2).spec.negative_slope",
        result: "0.2",
    },
    LayerCommand {
        command: "gelu",
        class: "GELU",
        summary: "The Gaussian error linear unit (nn.GELU).",
        fields: &[flag("approximate", Str(&["none", "tanh"]), "the approximation (default none)")],
        example: "(nutorch nn gelu --approximate tanh).spec.approximate",
        result: r#""tanh""#,
    },
    LayerCommand {
        command: "silu",
        class: "SiLU",
        summary: "x * sigmoid(x) (nn.SiLU).",
        fields: &[],
        example: "(nutorch nn silu).spec.type",
        result: r#""SiLU""#,
    },
    LayerCommand {
        command: "tanh",
        class: "Tanh",
        summary: "tanh(x) (nn.Tanh).",
        fields: &[],
        example: "(nutorch nn tanh).spec.type",
        result: r#""Tanh""#,
    },
    LayerCommand {
        command: "sigmoid",
        class: "Sigmoid",
        summary: "1 / (1 + exp(-x)) (nn.Sigmoid).",
        fields: &[],
        example: "(nutorch nn sigmoid).spec.type",
        result: r#""Sigmoid""#,
    },
    LayerCommand {
        command: "softmax",
        class: "Softmax",
        summary: "Softmax along a dimension (nn.Softmax).",
        fields: &[opt_pos("dim", Int, "the dimension (default: PyTorch's implicit choice, 1 for [N, C])")],
        example: "(nutorch nn softmax 1).spec.dim",
        result: "1",
    },
    LayerCommand {
        command: "log-softmax",
        class: "LogSoftmax",
        summary: "log(softmax(x)) along a dimension (nn.LogSoftmax).",
        fields: &[opt_pos("dim", Int, "the dimension (default: PyTorch's implicit choice, 1 for [N, C])")],
        example: "(nutorch nn log-softmax 1).spec.dim",
        result: "1",
    },
];

/// The flags every model-building command takes.
pub fn placement_flags(signature: Signature) -> Signature {
    signature
        .named("seed", nu_protocol::SyntaxShape::Int, "seed torch's generator first (torch.manual_seed)", None)
        .named("device", nu_protocol::SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
        .named("dtype", nu_protocol::SyntaxShape::String, "a floating dtype for the parameters (default float32)", None)
}

/// `model.to(device, dtype)` as the flags ask (the model is returned unchanged without them).
pub fn place(model: Model, call: &EvaluatedCall) -> Result<Model, LabeledError> {
    let device = crate::args::device_flag(call)?;
    let dtype = crate::args::dtype_flag(call)?;
    if device == nutorch_core::tch::Device::Cpu && dtype.is_none() {
        return Ok(model);
    }
    let span = call.get_flag_span("dtype").or(call.get_flag_span("device")).unwrap_or(call.head);
    let kind = match dtype {
        Some(d) => d.kind(),
        None => model.kind(),
    };
    model.to(device, kind).map_err(|e| labeled(e, span))
}

/// `--seed N`: torch.manual_seed(N) before drawing.
pub fn seed_flag(call: &EvaluatedCall) -> Result<(), LabeledError> {
    if let Some(seed) = call.get_flag::<i64>("seed")? {
        nutorch_core::tch::manual_seed(seed);
    }
    Ok(())
}

pub struct LayerCmd {
    name: String,
    def: &'static LayerCommand,
}

impl LayerCmd {
    pub fn new(def: &'static LayerCommand) -> LayerCmd {
        LayerCmd { name: format!("nutorch nn {}", def.command), def }
    }
}

impl PluginCommand for LayerCmd {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> Signature {
        let signature = Signature::build(self.name()).input_output_types(vec![(Type::Nothing, Type::record())]);
        placement_flags(add_to_signature(signature, self.def.fields)).category(crate::commands::category())
    }

    fn description(&self) -> &str {
        self.def.summary
    }

    fn extra_description(&self) -> &str {
        "The result is a model record {spec, training, parameters, buffers} holding this one layer, \
         initialised as PyTorch initialises it (after the same seed, the same values). Use it \
         alone, or chain layers with `nutorch nn sequential [...]`. Arguments keep PyTorch's \
         names and order; flags are kebab-case, and a switch --no-<x> turns off an option that \
         is on by default (--no-bias for bias=False)."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec![self.def.class, "torch.nn", "layer", "module"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: self.def.example,
            description: self.def.summary,
            result: json_to_value(self.def.result, nu_protocol::Span::test_data()).ok(),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let (json, spans) = read_fields(call, self.def.class, self.def.fields, 0)?;
        let spec = LayerSpec::from_json(&serde_json::Value::Object(json).to_string())
            .map_err(|e| labeled_at_field(e, &spans, call.head))?;
        seed_flag(call)?;
        let model = Model::new(&spec).map_err(|e| labeled(e, call.head))?;
        let model = place(model, call)?;
        Ok(PipelineData::Value(new_model_value(plugin, &model, call.head)?, None))
    }
}

fn labeled_at_field(
    e: nutorch_core::Error,
    spans: &[(&'static str, nu_protocol::Span)],
    head: nu_protocol::Span,
) -> LabeledError {
    let span = blame(&e.to_string(), spans, head);
    labeled(e, span)
}
