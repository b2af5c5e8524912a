//! Architectures as data: a [`LayerSpec`] names a `torch.nn` layer and its constructor
//! arguments, with PyTorch's names and defaults. It is what a model file's metadata holds (as
//! JSON), what the plugin shows as a record, and what [`crate::Model`] is built from.
//!
//! A spec also knows the names and shapes of the parameters and buffers its layer owns, with
//! PyTorch's `state_dict` names (`weight`, `bias`, `running_mean`, …; children of a
//! `Sequential` are prefixed `0.`, `1.`, …; a `SimpleNN` has `fc1.` and `fc2.`), so files map
//! 1:1 onto PyTorch modules.

use nutorch_core::{Error, Result};
use serde::{Deserialize, Serialize};
use tch::Kind;

fn yes() -> bool {
    true
}
fn default_eps() -> f64 {
    1e-5
}
fn default_momentum() -> f64 {
    0.1
}
fn default_dropout() -> f64 {
    0.5
}
fn default_slope() -> f64 {
    0.01
}
fn default_groups() -> i64 {
    1
}
fn default_start_dim() -> i64 {
    1
}
fn default_end_dim() -> i64 {
    -1
}
fn default_approximate() -> String {
    "none".into()
}

/// A convolution: `nn.Conv1d`, `nn.Conv2d` or `nn.ConvTranspose2d`. Per-dimension lists hold
/// one entry per spatial dimension once normalised ([`LayerSpec::normalized`]); a single entry
/// (or none, for the defaults) is repeated, as PyTorch repeats an int.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvSpec {
    pub in_channels: i64,
    pub out_channels: i64,
    pub kernel_size: Vec<i64>,
    #[serde(default)]
    pub stride: Vec<i64>,
    #[serde(default)]
    pub padding: Vec<i64>,
    #[serde(default)]
    pub dilation: Vec<i64>,
    /// Only for transposed convolutions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_padding: Vec<i64>,
    #[serde(default = "default_groups")]
    pub groups: i64,
    #[serde(default = "yes")]
    pub bias: bool,
}

/// `nn.MaxPool2d` / `nn.AvgPool2d`: the stride defaults to the kernel size, as in PyTorch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolSpec {
    pub kernel_size: Vec<i64>,
    #[serde(default)]
    pub stride: Vec<i64>,
    #[serde(default)]
    pub padding: Vec<i64>,
}

/// `nn.BatchNorm1d` / `nn.BatchNorm2d`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchNormSpec {
    pub num_features: i64,
    #[serde(default = "default_eps")]
    pub eps: f64,
    #[serde(default = "default_momentum")]
    pub momentum: f64,
    #[serde(default = "yes")]
    pub affine: bool,
    #[serde(default = "yes")]
    pub track_running_stats: bool,
}

/// One layer (or a container of layers), named as `torch.nn` names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LayerSpec {
    Linear {
        in_features: i64,
        out_features: i64,
        #[serde(default = "yes")]
        bias: bool,
    },
    Conv1d(ConvSpec),
    Conv2d(ConvSpec),
    ConvTranspose2d(ConvSpec),
    MaxPool2d(PoolSpec),
    AvgPool2d(PoolSpec),
    AdaptiveAvgPool2d {
        output_size: Vec<i64>,
    },
    BatchNorm1d(BatchNormSpec),
    BatchNorm2d(BatchNormSpec),
    LayerNorm {
        normalized_shape: Vec<i64>,
        #[serde(default = "default_eps")]
        eps: f64,
        #[serde(default = "yes")]
        elementwise_affine: bool,
    },
    GroupNorm {
        num_groups: i64,
        num_channels: i64,
        #[serde(default = "default_eps")]
        eps: f64,
        #[serde(default = "yes")]
        affine: bool,
    },
    Dropout {
        #[serde(default = "default_dropout")]
        p: f64,
    },
    Embedding {
        num_embeddings: i64,
        embedding_dim: i64,
        #[serde(default)]
        padding_idx: Option<i64>,
    },
    Flatten {
        #[serde(default = "default_start_dim")]
        start_dim: i64,
        #[serde(default = "default_end_dim")]
        end_dim: i64,
    },
    ReLU,
    LeakyReLU {
        #[serde(default = "default_slope")]
        negative_slope: f64,
    },
    GELU {
        #[serde(default = "default_approximate")]
        approximate: String,
    },
    SiLU,
    Tanh,
    Sigmoid,
    /// `dim: None` is PyTorch's implicit dimension (0 for 0-, 1- and 3-d inputs, else 1).
    Softmax {
        #[serde(default)]
        dim: Option<i64>,
    },
    LogSoftmax {
        #[serde(default)]
        dim: Option<i64>,
    },
    Sequential {
        layers: Vec<LayerSpec>,
    },
    /// fc2(relu(fc1(x))): the reference workload's network, a module with attributes `fc1`
    /// and `fc2` (two `nn.Linear`) in PyTorch.
    #[serde(rename = "SimpleNN")]
    SimpleNn {
        input: i64,
        hidden: i64,
        output: i64,
    },
}

/// A tensor a layer owns: its `state_dict` name, shape and dtype.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSlot {
    pub name: String,
    pub shape: Vec<i64>,
    /// `None`: the model's floating dtype; `Some`: fixed (`num_batches_tracked` is int64).
    pub kind: Option<Kind>,
}

impl LayerSpec {
    /// The spec from JSON (a model file's metadata), normalised and checked.
    pub fn from_json(text: &str) -> Result<LayerSpec> {
        let spec: LayerSpec =
            serde_json::from_str(text).map_err(|e| Error::Value(format!("not a layer description: {e}")))?;
        spec.normalized()
    }

    /// The spec as JSON (normalised, every default written out).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The `torch.nn` class name.
    pub fn type_name(&self) -> &'static str {
        match self {
            LayerSpec::Linear { .. } => "Linear",
            LayerSpec::Conv1d(_) => "Conv1d",
            LayerSpec::Conv2d(_) => "Conv2d",
            LayerSpec::ConvTranspose2d(_) => "ConvTranspose2d",
            LayerSpec::MaxPool2d(_) => "MaxPool2d",
            LayerSpec::AvgPool2d(_) => "AvgPool2d",
            LayerSpec::AdaptiveAvgPool2d { .. } => "AdaptiveAvgPool2d",
            LayerSpec::BatchNorm1d(_) => "BatchNorm1d",
            LayerSpec::BatchNorm2d(_) => "BatchNorm2d",
            LayerSpec::LayerNorm { .. } => "LayerNorm",
            LayerSpec::GroupNorm { .. } => "GroupNorm",
            LayerSpec::Dropout { .. } => "Dropout",
            LayerSpec::Embedding { .. } => "Embedding",
            LayerSpec::Flatten { .. } => "Flatten",
            LayerSpec::ReLU => "ReLU",
            LayerSpec::LeakyReLU { .. } => "LeakyReLU",
            LayerSpec::GELU { .. } => "GELU",
            LayerSpec::SiLU => "SiLU",
            LayerSpec::Tanh => "Tanh",
            LayerSpec::Sigmoid => "Sigmoid",
            LayerSpec::Softmax { .. } => "Softmax",
            LayerSpec::LogSoftmax { .. } => "LogSoftmax",
            LayerSpec::Sequential { .. } => "Sequential",
            LayerSpec::SimpleNn { .. } => "SimpleNN",
        }
    }

    /// A short description as PyTorch's `repr` gives it, e.g. `Linear(13 → 64)`.
    pub fn describe(&self) -> String {
        match self {
            LayerSpec::Linear { in_features, out_features, .. } => format!("Linear({in_features} → {out_features})"),
            LayerSpec::Conv1d(c) | LayerSpec::Conv2d(c) | LayerSpec::ConvTranspose2d(c) => {
                format!("{}({} → {}, kernel {:?})", self.type_name(), c.in_channels, c.out_channels, c.kernel_size)
            }
            LayerSpec::BatchNorm1d(b) | LayerSpec::BatchNorm2d(b) => {
                format!("{}({})", self.type_name(), b.num_features)
            }
            LayerSpec::Dropout { p } => format!("Dropout(p={p})"),
            LayerSpec::Sequential { layers } => format!("Sequential({} layers)", layers.len()),
            LayerSpec::SimpleNn { input, hidden, output } => format!("SimpleNN({input} → {hidden} → {output})"),
            other => other.type_name().to_string(),
        }
    }

    /// Whether this layer holds other layers (its errors name the inner layer instead).
    pub fn is_container(&self) -> bool {
        matches!(self, LayerSpec::Sequential { .. } | LayerSpec::SimpleNn { .. })
    }

    /// The spec with per-dimension lists expanded and every value checked as PyTorch's
    /// constructors check them.
    pub fn normalized(&self) -> Result<LayerSpec> {
        let bad = |what: String| Err(Error::Argument(format!("{}: {what}", self.type_name())));
        let spec = match self {
            LayerSpec::Linear { in_features, out_features, .. } => {
                positive("in_features", *in_features, self)?;
                positive("out_features", *out_features, self)?;
                self.clone()
            }
            LayerSpec::Conv1d(c) => LayerSpec::Conv1d(normalize_conv(c, 1, false, self)?),
            LayerSpec::Conv2d(c) => LayerSpec::Conv2d(normalize_conv(c, 2, false, self)?),
            LayerSpec::ConvTranspose2d(c) => LayerSpec::ConvTranspose2d(normalize_conv(c, 2, true, self)?),
            LayerSpec::MaxPool2d(p) => LayerSpec::MaxPool2d(normalize_pool(p, self)?),
            LayerSpec::AvgPool2d(p) => LayerSpec::AvgPool2d(normalize_pool(p, self)?),
            LayerSpec::AdaptiveAvgPool2d { output_size } => {
                let output_size = expand("output_size", output_size, 2, None, self)?;
                if output_size.iter().any(|&s| s < 1) {
                    return bad(format!("output_size must be positive, got {output_size:?}"));
                }
                LayerSpec::AdaptiveAvgPool2d { output_size }
            }
            LayerSpec::BatchNorm1d(b) | LayerSpec::BatchNorm2d(b) => {
                positive("num_features", b.num_features, self)?;
                non_negative_finite("eps", b.eps, self)?;
                non_negative_finite("momentum", b.momentum, self)?;
                self.clone()
            }
            LayerSpec::LayerNorm { normalized_shape, eps, .. } => {
                if normalized_shape.is_empty() || normalized_shape.iter().any(|&s| s < 1) {
                    return bad(format!("normalized_shape must be positive sizes, got {normalized_shape:?}"));
                }
                non_negative_finite("eps", *eps, self)?;
                self.clone()
            }
            LayerSpec::GroupNorm { num_groups, num_channels, eps, .. } => {
                positive("num_groups", *num_groups, self)?;
                positive("num_channels", *num_channels, self)?;
                if num_channels % num_groups != 0 {
                    return bad("num_channels must be divisible by num_groups".into());
                }
                non_negative_finite("eps", *eps, self)?;
                self.clone()
            }
            LayerSpec::Dropout { p } => {
                if !(0.0..=1.0).contains(p) {
                    return bad(format!("dropout probability has to be between 0 and 1, but got {p}"));
                }
                self.clone()
            }
            LayerSpec::Embedding { num_embeddings, embedding_dim, padding_idx } => {
                positive("num_embeddings", *num_embeddings, self)?;
                positive("embedding_dim", *embedding_dim, self)?;
                // PyTorch accepts a negative padding_idx counted from the end and stores it
                // as the positive index.
                let padding_idx = match padding_idx {
                    None => None,
                    Some(i) if (-num_embeddings..0).contains(i) => Some(i + num_embeddings),
                    Some(i) if (0..*num_embeddings).contains(i) => Some(*i),
                    Some(i) => return bad(format!("padding_idx {i} must be within num_embeddings ({num_embeddings})")),
                };
                LayerSpec::Embedding { num_embeddings: *num_embeddings, embedding_dim: *embedding_dim, padding_idx }
            }
            LayerSpec::GELU { approximate } => {
                if approximate != "none" && approximate != "tanh" {
                    return bad(format!("approximate must be 'none' or 'tanh', got '{approximate}'"));
                }
                self.clone()
            }
            LayerSpec::LeakyReLU { negative_slope } if !negative_slope.is_finite() => {
                return bad(format!("negative_slope must be finite, got {negative_slope}"))
            }
            LayerSpec::Sequential { layers } => {
                LayerSpec::Sequential { layers: layers.iter().map(LayerSpec::normalized).collect::<Result<_>>()? }
            }
            LayerSpec::SimpleNn { input, hidden, output } => {
                positive("input", *input, self)?;
                positive("hidden", *hidden, self)?;
                positive("output", *output, self)?;
                self.clone()
            }
            other => other.clone(),
        };
        Ok(spec)
    }

    /// The parameters this layer owns, in PyTorch's registration order.
    pub fn parameters(&self) -> Vec<TensorSlot> {
        let mut slots = Vec::new();
        self.collect(String::new(), &mut slots, &mut Vec::new());
        slots
    }

    /// The buffers this layer owns (BatchNorm's running statistics), in PyTorch's order.
    pub fn buffers(&self) -> Vec<TensorSlot> {
        let mut slots = Vec::new();
        self.collect(String::new(), &mut Vec::new(), &mut slots);
        slots
    }

    fn collect(&self, prefix: String, params: &mut Vec<TensorSlot>, buffers: &mut Vec<TensorSlot>) {
        let slot = |name: &str, shape: Vec<i64>, kind: Option<Kind>| TensorSlot {
            name: format!("{prefix}{name}"),
            shape,
            kind,
        };
        match self {
            LayerSpec::Linear { in_features, out_features, bias } => {
                params.push(slot("weight", vec![*out_features, *in_features], None));
                if *bias {
                    params.push(slot("bias", vec![*out_features], None));
                }
            }
            LayerSpec::Conv1d(c) | LayerSpec::Conv2d(c) => {
                let mut shape = vec![c.out_channels, c.in_channels / c.groups.max(1)];
                shape.extend(&c.kernel_size);
                params.push(slot("weight", shape, None));
                if c.bias {
                    params.push(slot("bias", vec![c.out_channels], None));
                }
            }
            LayerSpec::ConvTranspose2d(c) => {
                let mut shape = vec![c.in_channels, c.out_channels / c.groups.max(1)];
                shape.extend(&c.kernel_size);
                params.push(slot("weight", shape, None));
                if c.bias {
                    params.push(slot("bias", vec![c.out_channels], None));
                }
            }
            LayerSpec::BatchNorm1d(b) | LayerSpec::BatchNorm2d(b) => {
                if b.affine {
                    params.push(slot("weight", vec![b.num_features], None));
                    params.push(slot("bias", vec![b.num_features], None));
                }
                if b.track_running_stats {
                    buffers.push(slot("running_mean", vec![b.num_features], None));
                    buffers.push(slot("running_var", vec![b.num_features], None));
                    buffers.push(slot("num_batches_tracked", vec![], Some(Kind::Int64)));
                }
            }
            LayerSpec::LayerNorm { normalized_shape, elementwise_affine: true, .. } => {
                params.push(slot("weight", normalized_shape.clone(), None));
                params.push(slot("bias", normalized_shape.clone(), None));
            }
            LayerSpec::GroupNorm { num_channels, affine: true, .. } => {
                params.push(slot("weight", vec![*num_channels], None));
                params.push(slot("bias", vec![*num_channels], None));
            }
            LayerSpec::Embedding { num_embeddings, embedding_dim, .. } => {
                params.push(slot("weight", vec![*num_embeddings, *embedding_dim], None));
            }
            LayerSpec::Sequential { layers } => {
                for (index, layer) in layers.iter().enumerate() {
                    layer.collect(format!("{prefix}{index}."), params, buffers);
                }
            }
            LayerSpec::SimpleNn { .. } => {
                for (name, layer) in self.simple_nn_layers() {
                    layer.collect(format!("{prefix}{name}."), params, buffers);
                }
            }
            _ => {}
        }
    }

    /// A SimpleNN's two Linear layers with their attribute names.
    pub(crate) fn simple_nn_layers(&self) -> Vec<(&'static str, LayerSpec)> {
        match self {
            LayerSpec::SimpleNn { input, hidden, output } => vec![
                ("fc1", LayerSpec::Linear { in_features: *input, out_features: *hidden, bias: true }),
                ("fc2", LayerSpec::Linear { in_features: *hidden, out_features: *output, bias: true }),
            ],
            _ => Vec::new(),
        }
    }
}

fn positive(name: &str, value: i64, spec: &LayerSpec) -> Result<()> {
    if value < 1 {
        return Err(Error::Argument(format!("{}: {name} must be at least 1, got {value}", spec.type_name())));
    }
    Ok(())
}

fn non_negative_finite(name: &str, value: f64, spec: &LayerSpec) -> Result<()> {
    if !value.is_finite() || value < 0.0 {
        return Err(Error::Argument(format!("{}: {name} must be a finite number >= 0, got {value}", spec.type_name())));
    }
    Ok(())
}

/// A per-dimension list: `[]` takes `default`, one entry is repeated, else `dims` entries.
fn expand(name: &str, values: &[i64], dims: usize, default: Option<i64>, spec: &LayerSpec) -> Result<Vec<i64>> {
    match (values.len(), default) {
        (0, Some(d)) => Ok(vec![d; dims]),
        (1, _) => Ok(vec![values[0]; dims]),
        (n, _) if n == dims => Ok(values.to_vec()),
        _ => Err(Error::Argument(format!("{}: {name} needs 1 or {dims} values, got {values:?}", spec.type_name()))),
    }
}

fn normalize_conv(c: &ConvSpec, dims: usize, transposed: bool, spec: &LayerSpec) -> Result<ConvSpec> {
    positive("in_channels", c.in_channels, spec)?;
    positive("out_channels", c.out_channels, spec)?;
    positive("groups", c.groups, spec)?;
    if c.in_channels % c.groups != 0 {
        return Err(Error::Argument(format!("{}: in_channels must be divisible by groups", spec.type_name())));
    }
    if c.out_channels % c.groups != 0 {
        return Err(Error::Argument(format!("{}: out_channels must be divisible by groups", spec.type_name())));
    }
    let kernel_size = expand("kernel_size", &c.kernel_size, dims, None, spec)?;
    let stride = expand("stride", &c.stride, dims, Some(1), spec)?;
    let padding = expand("padding", &c.padding, dims, Some(0), spec)?;
    let dilation = expand("dilation", &c.dilation, dims, Some(1), spec)?;
    let output_padding =
        if transposed { expand("output_padding", &c.output_padding, dims, Some(0), spec)? } else { Vec::new() };
    if kernel_size.iter().chain(&stride).chain(&dilation).any(|&v| v < 1) || padding.iter().any(|&v| v < 0) {
        return Err(Error::Argument(format!(
            "{}: kernel_size, stride and dilation must be positive and padding non-negative",
            spec.type_name()
        )));
    }
    Ok(ConvSpec { kernel_size, stride, padding, dilation, output_padding, ..c.clone() })
}

fn normalize_pool(p: &PoolSpec, spec: &LayerSpec) -> Result<PoolSpec> {
    let kernel_size = expand("kernel_size", &p.kernel_size, 2, None, spec)?;
    let stride = if p.stride.is_empty() { kernel_size.clone() } else { expand("stride", &p.stride, 2, None, spec)? };
    let padding = expand("padding", &p.padding, 2, Some(0), spec)?;
    if kernel_size.iter().chain(&stride).any(|&v| v < 1) || padding.iter().any(|&v| v < 0) {
        return Err(Error::Argument(format!(
            "{}: kernel_size and stride must be positive and padding non-negative",
            spec.type_name()
        )));
    }
    if padding.iter().zip(&kernel_size).any(|(p, k)| 2 * p > *k) {
        return Err(Error::Argument(format!(
            "{}: pad should be at most half of effective kernel size, got padding {padding:?} for kernel {kernel_size:?}",
            spec.type_name()
        )));
    }
    Ok(PoolSpec { kernel_size, stride, padding })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_fills_pytorch_defaults() {
        let spec =
            LayerSpec::from_json(r#"{"type":"Conv2d","in_channels":1,"out_channels":8,"kernel_size":[3]}"#).unwrap();
        let LayerSpec::Conv2d(c) = &spec else { panic!("{spec:?}") };
        assert_eq!((c.stride.clone(), c.padding.clone(), c.dilation.clone()), (vec![1, 1], vec![0, 0], vec![1, 1]));
        assert_eq!(LayerSpec::from_json(&spec.to_json()).unwrap(), spec);
        let relu = LayerSpec::from_json(r#"{"type":"ReLU"}"#).unwrap();
        assert_eq!(relu, LayerSpec::ReLU);
    }

    #[test]
    fn names_follow_state_dict() {
        let spec = LayerSpec::Sequential {
            layers: vec![
                LayerSpec::Linear { in_features: 4, out_features: 3, bias: true },
                LayerSpec::BatchNorm1d(BatchNormSpec {
                    num_features: 3,
                    eps: 1e-5,
                    momentum: 0.1,
                    affine: true,
                    track_running_stats: true,
                }),
                LayerSpec::ReLU,
            ],
        };
        let params: Vec<_> = spec.parameters().into_iter().map(|s| s.name).collect();
        assert_eq!(params, ["0.weight", "0.bias", "1.weight", "1.bias"]);
        let buffers: Vec<_> = spec.buffers().into_iter().map(|s| s.name).collect();
        assert_eq!(buffers, ["1.running_mean", "1.running_var", "1.num_batches_tracked"]);
        let simple = LayerSpec::SimpleNn { input: 2, hidden: 5, output: 3 };
        assert_eq!(simple.parameters()[2].name, "fc2.weight");
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(LayerSpec::Dropout { p: 1.5 }.normalized().is_err());
        assert!(LayerSpec::Linear { in_features: 0, out_features: 2, bias: true }.normalized().is_err());
        assert!(LayerSpec::from_json(r#"{"type":"Nope"}"#).is_err());
        assert!(LayerSpec::GroupNorm { num_groups: 3, num_channels: 8, eps: 1e-5, affine: true }.normalized().is_err());
    }
}
