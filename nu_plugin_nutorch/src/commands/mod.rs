//! Every command of the plugin. Each file holds one command (or one family built from data).

mod creation;
mod devices;
mod elementwise;
mod root;
mod shape;
mod values;

use crate::plugin::NutorchPlugin;
use nu_plugin::PluginCommand;
use nu_protocol::{Category, Type};

pub fn all() -> Vec<Box<dyn PluginCommand<Plugin = NutorchPlugin>>> {
    vec![
        Box::new(root::Nutorch),
        Box::new(creation::Linspace),
        Box::new(shape::Repeat),
        Box::new(elementwise::Sin),
        Box::new(values::ToValue),
        Box::new(values::FromValue),
        Box::new(devices::Devices),
    ]
}

/// The category every nutorch command is listed under in `help commands`.
pub fn category() -> Category {
    Category::Custom("nutorch".into())
}

/// The type of a tensor in signatures.
pub fn tensor_type() -> Type {
    Type::Custom("tensor".into())
}
